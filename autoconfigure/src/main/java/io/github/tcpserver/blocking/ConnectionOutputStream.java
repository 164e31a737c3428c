package io.github.tcpserver.blocking;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.github.tcpserver.core.Connection;

/**
 * The output side of a {@link StreamConnection}: each write is copied and handed to the I/O
 * thread, a large one in slices of 64 KiB. A writer blocks, as on a socket whose send buffer is full, while the connection is not
 * writable (queued output above the high-water mark) or while more than {@code maxInFlight} bytes
 * are still on their way to the I/O thread, so a slow peer cannot make output queue without bound.
 */
final class ConnectionOutputStream extends OutputStream {

	/**
	 * Longest wait between checks while blocked on a slow peer. Writers are woken when their
	 * bytes reach the connection, when it becomes writable again and when it closes; the timeout
	 * is a safety net, not how progress is made.
	 */
	private static final long MAX_WAIT_NANOS = 10_000_000;

	/**
	 * The handler thread blocked in {@link #awaitWritable()}, if any. One: like a socket's, this
	 * stream is written by one thread at a time (a second concurrent writer still makes progress,
	 * at the pace of the wait's timeout).
	 */
	private volatile Thread waiter;

	private final Connection connection;

	private final long maxInFlight;

	/** Writes up to this size are merged on their way to the socket. */
	private static final int MERGE_LIMIT = 64 * 1024;

	/**
	 * Largest piece of one write handed to the I/O thread before the writer waits for the peer
	 * again; bounds what one call can queue beyond the high-water mark.
	 */
	private static final int SLICE = 64 * 1024;

	/** Written by the handler, not yet handed to the connection. */
	private final Queue<ByteBuffer> pending = new ConcurrentLinkedQueue<>();

	/** A drain task is queued on the I/O thread; writes in the meantime ride along with it. */
	private final AtomicBoolean drainScheduled = new AtomicBoolean();

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
		// A large write goes out in slices, each after the peer has caught up, as a blocking
		// socket write does: handed over whole, 64 MiB would pass max-queued-output and close a
		// connection whose peer reads perfectly well.
		while (len > 0) {
			awaitWritable();
			ensureOpen();
			int slice = Math.min(len, SLICE);
			this.pending.add(ByteBuffer.allocate(slice).put(b, off, slice).flip());
			this.inFlight.addAndGet(slice);
			if (this.drainScheduled.compareAndSet(false, true)) {
				this.connection.execute(this::drain);
			}
			off += slice;
			len -= slice;
		}
	}

	/**
	 * On the I/O thread: hands everything written so far to the connection, small writes merged
	 * into one buffer. A handler writing a few bytes at a time (socketserver's recv(5)/sendall
	 * style) then costs one loop task and one socket write per batch, not per call.
	 */
	private void drain() {
		this.drainScheduled.set(false);
		ByteBuffer first;
		while ((first = this.pending.poll()) != null) {
			ByteBuffer next = this.pending.peek();
			if (next == null || first.remaining() >= MERGE_LIMIT) {
				write(first);
				continue;
			}
			// inFlight counts every byte still queued here, so it bounds what can be merged.
			int capacity = (int) Math.min(MERGE_LIMIT, Math.max(first.remaining(), this.inFlight.get()));
			ByteBuffer merged = ByteBuffer.allocate(capacity);
			merged.put(first);
			while ((next = this.pending.peek()) != null && next.remaining() <= merged.remaining()) {
				merged.put(this.pending.poll());
			}
			write(merged.flip());
		}
	}

	private void write(ByteBuffer data) {
		int length = data.remaining();
		// Straight to the socket, or into the queue that isWritable() watches.
		this.connection.write(data);
		this.inFlight.addAndGet(-length);
		wakeWriter();
	}

	/** Lets a writer blocked in {@link #awaitWritable()} check again. Any thread. */
	void wakeWriter() {
		Thread blocked = this.waiter;
		if (blocked != null) {
			LockSupport.unpark(blocked);
		}
	}

	private boolean mustWait() {
		return this.inFlight.get() > this.maxInFlight || !this.connection.isWritable();
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
	 * Waits while the peer is behind, as a blocking socket write does while the send buffer is
	 * full. Woken by {@link #wakeWriter()}; it announces itself before checking again, so a wake-up
	 * between the check and the park is not lost (the park returns at once).
	 */
	private void awaitWritable() throws IOException {
		if (!mustWait()) {
			return;
		}
		this.waiter = Thread.currentThread();
		try {
			while (mustWait()) {
				ensureOpen();
				LockSupport.parkNanos(this, MAX_WAIT_NANOS);
				if (Thread.interrupted()) {
					Thread.currentThread().interrupt();
					throw new InterruptedIOException("Interrupted while waiting for the peer to read");
				}
			}
		}
		finally {
			this.waiter = null;
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
