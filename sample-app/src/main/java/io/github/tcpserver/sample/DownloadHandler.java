package io.github.tcpserver.sample;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * A download listener whose replies are known exactly, to watch outbound queues and graceful
 * shutdown: send a byte count and a newline, get that many bytes back (byte {@code i} is
 * {@code i % 251}). Try {@code printf '1000000\n' | nc 127.0.0.1 9010 | wc -c}.
 */
@SocketHandler(value = "download", port = "${sample.download.port:9010}")
public class DownloadHandler implements ConnectionHandler {

	/** Largest reply: below tcp.server.max-queued-output, so a slow reader is never cut off. */
	public static final int MAX_BYTES = 8 * 1024 * 1024;

	/** Longest request line; more is a protocol error rather than an ever-growing buffer. */
	private static final int MAX_LINE = 16;

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
		int length;
		try {
			length = Integer.parseInt(request);
		}
		catch (NumberFormatException ex) {
			refuse(connection, "send a byte count, then a newline");
			return;
		}
		if (length < 0 || length > MAX_BYTES) {
			refuse(connection, "byte count must be between 0 and " + MAX_BYTES);
			return;
		}
		connection.write(ByteBuffer.wrap(reply(length)));
	}

	private void refuse(Connection connection, String why) {
		connection.reportProtocolError();
		connection.write(("error: " + why + "\n").getBytes(StandardCharsets.US_ASCII));
	}

}
