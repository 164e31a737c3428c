package io.github.tcpserver.core;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLSession;

/**
 * A {@link Connection} that forwards every call to another one: the base of the views that
 * protocol adapters hand to their handlers (framed, offloaded, upgraded, WebSocket), which
 * override only what they change. A method added to {@code Connection} is added here once, not in
 * every view.
 * <p>
 * Threads: a forwarded call runs on the caller's thread and the connection underneath hands any
 * state change to its I/O thread, so a view is as thread-safe as the connection it wraps. A view
 * that keeps state of its own says in its Javadoc which thread touches it; a view whose handler
 * runs elsewhere (offloaded) overrides {@link #execute(Runnable)} to run tasks there.
 */
public abstract class ForwardingConnection implements Connection {

	private final Connection delegate;

	protected ForwardingConnection(Connection delegate) {
		this.delegate = delegate;
	}

	/** @return the connection calls are forwarded to */
	protected final Connection delegate() {
		return this.delegate;
	}

	@Override
	public long id() {
		return this.delegate.id();
	}

	@Override
	public String listenerName() {
		return this.delegate.listenerName();
	}

	@Override
	public InetSocketAddress remoteAddress() {
		return this.delegate.remoteAddress();
	}

	@Override
	public InetSocketAddress localAddress() {
		return this.delegate.localAddress();
	}

	@Override
	public void write(ByteBuffer data) {
		this.delegate.write(data);
	}

	@Override
	public CompletionStage<Void> sendFile(FileChannel file, long position, long count) {
		return this.delegate.sendFile(file, position, count);
	}

	@Override
	public CompletionStage<Long> sendStream(InputStream in, Executor executor) {
		return this.delegate.sendStream(in, executor);
	}

	@Override
	public void close() {
		this.delegate.close();
	}

	@Override
	public void closeAfterFlush() {
		this.delegate.closeAfterFlush();
	}

	@Override
	public void pauseReading() {
		this.delegate.pauseReading();
	}

	@Override
	public void resumeReading() {
		this.delegate.resumeReading();
	}

	@Override
	public boolean isOpen() {
		return this.delegate.isOpen();
	}

	@Override
	public SSLSession sslSession() {
		return this.delegate.sslSession();
	}

	@Override
	public boolean isWritable() {
		return this.delegate.isWritable();
	}

	@Override
	public long pendingOutboundBytes() {
		return this.delegate.pendingOutboundBytes();
	}

	@Override
	public int pendingOutboundMessages() {
		return this.delegate.pendingOutboundMessages();
	}

	@Override
	public long bytesReceived() {
		return this.delegate.bytesReceived();
	}

	@Override
	public long bytesSent() {
		return this.delegate.bytesSent();
	}

	@Override
	public Instant openedAt() {
		return this.delegate.openedAt();
	}

	@Override
	public Instant lastActivity() {
		return this.delegate.lastActivity();
	}

	@Override
	public void setReadIdleTimeout(Duration timeout) {
		this.delegate.setReadIdleTimeout(timeout);
	}

	@Override
	public void setWriteIdleTimeout(Duration timeout) {
		this.delegate.setWriteIdleTimeout(timeout);
	}

	@Override
	public void setMinWriteRate(long bytesPerSecond, Duration window) {
		this.delegate.setMinWriteRate(bytesPerSecond, window);
	}

	@Override
	public String protocol() {
		return this.delegate.protocol();
	}

	@Override
	public Object attachment() {
		return this.delegate.attachment();
	}

	@Override
	public void attach(Object attachment) {
		this.delegate.attach(attachment);
	}

	@Override
	public void reportProtocolError() {
		this.delegate.reportProtocolError();
	}

	@Override
	public void execute(Runnable task) {
		this.delegate.execute(task);
	}

	@Override
	public String toString() {
		return this.delegate.toString();
	}

}
