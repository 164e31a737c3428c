package io.github.tcpserver.blocking;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

import io.github.tcpserver.core.Connection;

/**
 * A connection as an offloaded handler sees it: the real connection, with an attachment of its
 * own (the real one holds this view) and read pausing that combines the handler's own
 * {@link #pauseReading()} with the backpressure of its pending work.
 */
final class OffloadedConnection implements Connection {

	private final Connection connection;

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
		this.connection = connection;
		this.executor = executor;
		this.maxPendingBytes = maxPendingBytes;
		this.maxPendingReads = maxPendingReads;
	}

	Connection connection() {
		return this.connection;
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
			this.connection.pauseReading(); // on the I/O thread: immediate
		}
	}

	/** Pauses or resumes reading as the flags say now. I/O thread (a loop task). */
	private void apply() {
		boolean pause;
		synchronized (this) {
			pause = this.backpressure || this.pausedByHandler || this.stopping;
		}
		if (pause) {
			this.connection.pauseReading();
		}
		else {
			this.connection.resumeReading();
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
			this.connection.execute(this::apply);
		}
	}

	/** Graceful stop: no more input; what is queued still runs. I/O thread. */
	synchronized void stopReading() {
		this.stopping = true;
		this.connection.pauseReading();
	}

	/** @return input bytes queued for the handler and not yet handled */
	synchronized long pendingBytes() {
		return this.pendingBytes;
	}

	@Override
	public synchronized void pauseReading() {
		if (!this.pausedByHandler) {
			this.pausedByHandler = true;
			this.connection.execute(this::apply);
		}
	}

	@Override
	public synchronized void resumeReading() {
		if (this.pausedByHandler) {
			this.pausedByHandler = false;
			this.connection.execute(this::apply);
		}
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

	@Override
	public long id() {
		return this.connection.id();
	}

	@Override
	public String listenerName() {
		return this.connection.listenerName();
	}

	@Override
	public InetSocketAddress remoteAddress() {
		return this.connection.remoteAddress();
	}

	@Override
	public InetSocketAddress localAddress() {
		return this.connection.localAddress();
	}

	@Override
	public void write(ByteBuffer data) {
		this.connection.write(data);
	}

	@Override
	public void close() {
		this.connection.close();
	}

	@Override
	public void closeAfterFlush() {
		this.connection.closeAfterFlush();
	}

	@Override
	public boolean isOpen() {
		return this.connection.isOpen();
	}

	@Override
	public boolean isWritable() {
		return this.connection.isWritable();
	}

	@Override
	public long pendingOutboundBytes() {
		return this.connection.pendingOutboundBytes();
	}

	@Override
	public int pendingOutboundMessages() {
		return this.connection.pendingOutboundMessages();
	}

	@Override
	public long bytesReceived() {
		return this.connection.bytesReceived();
	}

	@Override
	public long bytesSent() {
		return this.connection.bytesSent();
	}

	@Override
	public Instant openedAt() {
		return this.connection.openedAt();
	}

	@Override
	public Instant lastActivity() {
		return this.connection.lastActivity();
	}

	@Override
	public void setReadIdleTimeout(Duration timeout) {
		this.connection.setReadIdleTimeout(timeout);
	}

	@Override
	public void setWriteIdleTimeout(Duration timeout) {
		this.connection.setWriteIdleTimeout(timeout);
	}

	@Override
	public void execute(Runnable task) {
		this.connection.execute(task);
	}

	@Override
	public void reportProtocolError() {
		this.connection.reportProtocolError();
	}

	@Override
	public String toString() {
		return this.connection.toString();
	}

}
