package io.github.tcpserver.blocking;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.tcpserver.core.Connection;

/**
 * The input side of a {@link StreamConnection}: the I/O thread adds what it reads, the handler's
 * thread takes it. At most {@code maxBuffered} bytes wait here: above that the connection stops
 * being read (TCP then pushes the peer back) until the handler has taken half of them.
 * <p>
 * A {@link ReentrantLock} rather than {@code synchronized}: a virtual thread waiting on a monitor
 * pins its carrier thread before JDK 24, one waiting on a lock condition does not.
 */
final class ConnectionInputStream extends InputStream {

	private final Connection connection;

	private final long maxBuffered;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition readable = this.lock.newCondition();

	// Guarded by lock.
	private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();

	private long buffered;

	private boolean paused;

	/** No more bytes will come: the peer shut down its output, or the server is stopping. */
	private boolean endOfInput;

	/** The server is stopping: reading stays paused for good. */
	private boolean stopping;

	/** The connection is closed; set together with whether that was orderly. */
	private boolean closed;

	private boolean closedOrderly;

	private Throwable failure;

	/** The handler closed this stream: input is discarded from now on. */
	private boolean discarding;

	private volatile long readTimeoutNanos;

	ConnectionInputStream(Connection connection, long maxBuffered) {
		this.connection = connection;
		this.maxBuffered = maxBuffered;
	}

	// ---------------------------------------------------------------- I/O thread

	/** Bytes arrived; {@code data} is the loop's read buffer, copied here. */
	void received(ByteBuffer data) {
		int length = data.remaining();
		this.lock.lock();
		try {
			if (this.discarding) {
				return;
			}
			this.chunks.add(ByteBuffer.allocate(length).put(data).flip());
			this.buffered += length;
			if (!this.paused && this.buffered > this.maxBuffered) {
				// Immediate on the I/O thread; a resume by the reader, issued under this lock
				// afterwards, is queued behind it.
				this.paused = true;
				this.connection.pauseReading();
			}
			this.readable.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Pauses or resumes reading as the flags say when this runs (a loop task). A resume is never
	 * called straight from the reader's thread: queued behind a pause the I/O thread made in the
	 * meantime, it would undo it.
	 */
	private void apply() {
		boolean pause;
		this.lock.lock();
		try {
			pause = this.paused || this.stopping;
		}
		finally {
			this.lock.unlock();
		}
		if (pause) {
			this.connection.pauseReading();
		}
		else {
			this.connection.resumeReading();
		}
	}

	/** The peer shut down its output: reads return -1 once the bytes before it are taken. */
	void endOfInput() {
		this.lock.lock();
		try {
			this.endOfInput = true;
			this.readable.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Graceful stop: nothing more is read, and the handler sees the end of input after the bytes
	 * already received, so it finishes the exchange in hand and returns.
	 */
	void stop() {
		this.lock.lock();
		try {
			this.stopping = true;
			this.endOfInput = true;
			this.connection.pauseReading();
			this.readable.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The connection failed (I/O error): a blocked or later read throws with this cause. */
	void failed(Throwable cause) {
		this.lock.lock();
		try {
			// No signal here: onClose follows at once (the core closes after an I/O error) and wakes
			// the reader then, when writes fail too, as they would on a reset socket.
			this.failure = cause;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The connection is closed. Reads then take what is buffered, then return -1 when the input
	 * had ended or the close was our own orderly one, and throw otherwise.
	 */
	void connectionClosed(boolean orderly) {
		this.lock.lock();
		try {
			this.closed = true;
			this.closedOrderly = orderly;
			this.readable.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---------------------------------------------------------------- handler thread

	void setReadTimeout(long nanos) {
		this.readTimeoutNanos = nanos;
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n < 0) ? -1 : one[0] & 0xff;
	}

	@Override
	public int read(byte[] b, int off, int len) throws IOException {
		Objects.checkFromIndexSize(off, len, b.length);
		if (len == 0) {
			return 0;
		}
		this.lock.lock();
		try {
			if (!awaitBytes()) {
				return -1;
			}
			int n = 0;
			while (n < len && !this.chunks.isEmpty()) {
				ByteBuffer head = this.chunks.peek();
				int take = Math.min(len - n, head.remaining());
				head.get(b, off + n, take);
				n += take;
				if (!head.hasRemaining()) {
					this.chunks.poll();
				}
			}
			this.buffered -= n;
			// Resume at half the bound, not just under it, so a reader at the limit does not flip
			// reading on and off for every read.
			if (this.paused && !this.stopping && this.buffered <= this.maxBuffered / 2) {
				this.paused = false;
				this.connection.execute(this::apply);
			}
			return n;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** @return {@code true} when bytes are buffered, {@code false} at the end of input. Holds lock. */
	private boolean awaitBytes() throws IOException {
		long timeout = this.readTimeoutNanos;
		long deadline = System.nanoTime() + timeout;
		while (this.chunks.isEmpty()) {
			if (this.discarding) {
				throw new SocketException("Socket input is shut down");
			}
			if (this.endOfInput) {
				return false;
			}
			if (this.failure != null) {
				throw new SocketException("Connection failed: " + this.failure);
			}
			if (this.closed) {
				if (this.closedOrderly) {
					return false;
				}
				throw new SocketException("Connection closed");
			}
			try {
				if (timeout == 0) {
					this.readable.await();
				}
				else {
					long left = deadline - System.nanoTime();
					if (left <= 0) {
						throw new SocketTimeoutException("Read timed out");
					}
					this.readable.awaitNanos(left);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while waiting for input");
			}
		}
		return true;
	}

	@Override
	public int available() {
		this.lock.lock();
		try {
			return (int) Math.min(Integer.MAX_VALUE, this.buffered);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Like {@code Socket.shutdownInput()}: drops what is buffered and discards what comes. */
	@Override
	public void close() {
		this.lock.lock();
		try {
			if (this.discarding) {
				return;
			}
			this.discarding = true;
			this.chunks.clear();
			this.buffered = 0;
			if (this.paused && !this.stopping) {
				this.paused = false;
				this.connection.execute(this::apply);
			}
			this.readable.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** For waiting in tests and for diagnostics. */
	long buffered() {
		this.lock.lock();
		try {
			return this.buffered;
		}
		finally {
			this.lock.unlock();
		}
	}

}
