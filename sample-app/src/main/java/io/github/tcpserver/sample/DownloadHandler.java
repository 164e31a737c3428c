package io.github.tcpserver.sample;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * A download listener whose replies are known exactly, to watch outbound queues and graceful
 * shutdown: send a byte count and a newline, get that many bytes back (byte {@code i} is
 * {@code i % 251}). Replies are streamed with {@link Connection#sendStream}, produced only as
 * fast as the client reads, so a reply of any size costs about the write high-water mark in
 * memory. Try {@code printf '1000000000\n' | nc 127.0.0.1 9010 | wc -c}.
 */
@SocketHandler(value = "download", port = "${sample.download.port:9010}")
public class DownloadHandler implements ConnectionHandler, AutoCloseable {

	/** Largest reply (1 GiB): a bound on what one request line can ask for, not on memory. */
	public static final long MAX_BYTES = 1024L * 1024 * 1024;

	/** Longest request line; more is a protocol error rather than an ever-growing buffer. */
	private static final int MAX_LINE = 16;

	private static final AtomicInteger PRODUCER_COUNT = new AtomicInteger();

	/**
	 * Produces the replies, a chunk at a time, off the I/O threads. The handler's own, not the
	 * application's task executor: that one refuses tasks once the context closes, before the
	 * server's graceful stop has delivered the replies still owed.
	 */
	private final ExecutorService producers = Executors.newFixedThreadPool(2, (task) -> {
		Thread thread = new Thread(task, "download-producer-" + PRODUCER_COUNT.incrementAndGet());
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * @param length reply size
	 * @return the reply to a request for {@code length} bytes
	 */
	public static byte[] reply(int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (i % 251);
		}
		return bytes;
	}

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		StringBuilder line = (StringBuilder) connection.attachment();
		if (line == null) {
			line = new StringBuilder();
			connection.attach(line);
		}
		while (data.hasRemaining()) {
			char c = (char) data.get();
			if (c == '\n') {
				answer(connection, line.toString().trim());
				line.setLength(0);
			}
			else if (line.length() < MAX_LINE) {
				line.append(c);
			}
			else {
				refuse(connection, "request line too long");
				line.setLength(0);
			}
		}
	}

	private void answer(Connection connection, String request) {
		long length;
		try {
			length = Long.parseLong(request);
		}
		catch (NumberFormatException ex) {
			refuse(connection, "send a byte count, then a newline");
			return;
		}
		if (length < 0 || length > MAX_BYTES) {
			refuse(connection, "byte count must be between 0 and " + MAX_BYTES);
			return;
		}
		connection.sendStream(new ReplyStream(length), this.producers);
	}

	/** Stops the producers once the server has stopped (Spring closes beans after lifecycle stop). */
	@Override
	public void close() {
		this.producers.shutdownNow();
	}

	/** The reply to one request, generated as it is read. */
	static final class ReplyStream extends InputStream {

		private final long length;

		private long offset;

		ReplyStream(long length) {
			this.length = length;
		}

		@Override
		public int read() {
			return (this.offset < this.length) ? (int) (this.offset++ % 251) : -1;
		}

		@Override
		public int read(byte[] buffer, int from, int count) {
			if (this.offset >= this.length) {
				return -1;
			}
			int n = (int) Math.min(count, this.length - this.offset);
			for (int i = 0; i < n; i++) {
				buffer[from + i] = (byte) ((this.offset + i) % 251);
			}
			this.offset += n;
			return n;
		}

	}

	private void refuse(Connection connection, String why) {
		connection.reportProtocolError();
		connection.write(("error: " + why + "\n").getBytes(StandardCharsets.US_ASCII));
	}

}
