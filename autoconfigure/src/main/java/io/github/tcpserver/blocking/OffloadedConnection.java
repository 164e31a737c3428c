package io.github.tcpserver.blocking;


import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ForwardingConnection;

/**
 * A connection as an offloaded handler sees it: the real connection, with an attachment of its
 * own (the real one holds this view) and read pausing that combines the handler's own
 * {@link #pauseReading()} with the backpressure of its pending work.
 * <p>
 * Threads: every method may be called from any thread. The handler's callbacks run on the
 * connection's {@link SerialExecutor} (executor threads, one at a time), and so does
 * {@link #execute(Runnable)}, in order with them: a handler that hands work back to "its" thread
 * (an HTTP handler resuming parked input, a chat login completing) must not find it running on
 * the I/O thread while a worker is inside a callback of the same connection. Writes, closes and
 * the reading flags are forwarded to the real connection, which hands them to its I/O thread.
 * The stages of {@code sendFile} and {@code sendStream} complete on the I/O thread: continue
 * with {@code execute} to touch the handler's state.
 */
final class OffloadedConnection extends ForwardingConnection {

	private final SerialExecutor executor;

	private final long maxPendingBytes;

	private final int maxPendingReads;

	private volatile Object attachment;

	/** A callback failed: the connection is closing and the events queued behind it are skipped. */
	volatile boolean failed;

	// Guarded by this. The I/O thread pauses at once; every other change is applied by a loop task
	// (apply) that reads the flags when it runs, so a resume queued by a worker can never undo a
	// pause the I/O thread made after it was queued.
	private long pendingBytes;

	private int pendingReads;

	private boolean backpressure;

	private boolean pausedByHandler;

	/** The server is stopping: reading stays paused for good. */
	private boolean stopping;

	OffloadedConnection(Connection connection, SerialExecutor executor, long maxPendingBytes, int maxPendingReads) {
		super(connection);
		this.executor = executor;
		this.maxPendingBytes = maxPendingBytes;
		this.maxPendingReads = maxPendingReads;
	}

	Connection connection() {
		return delegate();
	}

	SerialExecutor executor() {
		return this.executor;
	}

	/** A read of {@code length} bytes was queued for the handler. I/O thread. */
	synchronized void received(int length) {
		this.pendingBytes += length;
		this.pendingReads++;
		if (!this.backpressure && (this.pendingBytes > this.maxPendingBytes || this.pendingReads > this.maxPendingReads)) {
			this.backpressure = true;
			delegate().pauseReading(); // on the I/O thread: immediate
		}
	}

	/** Pauses or resumes reading as the flags say now. I/O thread (a loop task). */
	private void apply() {
		boolean pause;
		synchronized (this) {
			pause = this.backpressure || this.pausedByHandler || this.stopping;
		}
		if (pause) {
			delegate().pauseReading();
		}
		else {
			delegate().resumeReading();
		}
	}

	/** The handler is done with a read of {@code length} bytes. Worker thread. */
	synchronized void handled(int length) {
		this.pendingBytes -= length;
		this.pendingReads--;
		// Resume at half the bound, not just under it, so a handler at the limit does not flip
		// reading on and off for every read.
		if (this.backpressure && this.pendingBytes <= this.maxPendingBytes / 2
				&& this.pendingReads <= this.maxPendingReads / 2) {
			this.backpressure = false;
			delegate().execute(this::apply);
		}
	}

	/** Graceful stop: no more input; what is queued still runs. I/O thread. */
	synchronized void stopReading() {
		this.stopping = true;
		delegate().pauseReading();
	}

	/** @return input bytes queued for the handler and not yet handled */
	synchronized long pendingBytes() {
		return this.pendingBytes;
	}

	@Override
	public synchronized void pauseReading() {
		if (!this.pausedByHandler) {
			this.pausedByHandler = true;
			delegate().execute(this::apply);
		}
	}

	@Override
	public synchronized void resumeReading() {
		if (this.pausedByHandler) {
			this.pausedByHandler = false;
			delegate().execute(this::apply);
		}
	}

	/**
	 * Runs {@code task} on this connection's serial executor, behind the callbacks already queued
	 * and never at the same time as one: where the handler's state is owned. It may block.
	 */
	@Override
	public void execute(Runnable task) {
		this.executor.execute(task);
	}

	@Override
	public Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(Object attachment) {
		this.attachment = attachment;
	}

	// Everything else is the real connection's.

}
