package io.github.tcpserver.blocking;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.github.tcpserver.core.Connection;

/**
 * The output side of a {@link StreamConnection}: each write is copied and handed to the I/O
 * thread. A writer blocks, as on a socket whose send buffer is full, while the connection is not
 * writable (queued output above the high-water mark) or while more than {@code maxInFlight} bytes
 * are still on their way to the I/O thread, so a slow peer cannot make output queue without bound.
 */
final class ConnectionOutputStream extends OutputStream {

	/** Longest pause between checks while blocked on a slow peer. */
	private static final long MAX_BACKOFF_NANOS = 10_000_000;

	private final Connection connection;

	private final long maxInFlight;

	/** Bytes handed to the I/O thread and not yet given to the connection there. */
	private final AtomicLong inFlight = new AtomicLong();

	private volatile boolean closed;

	ConnectionOutputStream(Connection connection, long maxInFlight) {
		this.connection = connection;
		this.maxInFlight = maxInFlight;
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] b, int off, int len) throws IOException {
		Objects.checkFromIndexSize(off, len, b.length);
		ensureOpen();
		if (len == 0) {
			return;
		}
		awaitWritable();
		ByteBuffer copy = ByteBuffer.allocate(len).put(b, off, len).flip();
		this.inFlight.addAndGet(len);
		this.connection.execute(() -> {
			// On the I/O thread: straight to the socket, or into the queue that isWritable() watches.
			this.connection.write(copy);
			this.inFlight.addAndGet(-len);
		});
	}

	private void ensureOpen() throws SocketException {
		if (this.closed) {
			throw new SocketException("Socket output is shut down");
		}
		if (!this.connection.isOpen()) {
			throw new SocketException("Connection closed");
		}
	}

	/**
	 * Waits while the peer is behind. The core offers no writability callback, so this polls, with
	 * a backoff from 50 µs to 10 ms; it only waits when the peer is slower than the writer.
	 */
	private void awaitWritable() throws IOException {
		long backoff = 50_000;
		while (this.inFlight.get() > this.maxInFlight || !this.connection.isWritable()) {
			ensureOpen();
			LockSupport.parkNanos(backoff);
			if (Thread.interrupted()) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while waiting for the peer to read");
			}
			backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
		}
	}

	/** Nothing to do: every write is already on its way to the socket. */
	@Override
	public void flush() throws IOException {
		ensureOpen();
	}

	/** Sends what is queued, then FIN; idempotent. */
	@Override
	public void close() {
		if (!this.closed) {
			this.closed = true;
			this.connection.closeAfterFlush();
		}
	}

	boolean isClosed() {
		return this.closed;
	}

}
