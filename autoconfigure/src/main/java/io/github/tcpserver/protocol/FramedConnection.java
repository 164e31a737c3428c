package io.github.tcpserver.protocol;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

import io.github.tcpserver.codec.FrameCodec;
import io.github.tcpserver.codec.FrameDecoder;
import io.github.tcpserver.core.Connection;

/**
 * A connection as a {@link FrameHandler} sees it: the underlying {@link Connection} plus
 * {@link #send(Object)} in its codec, and its own {@link #attach(Object) attachment} slot (the
 * {@link FramingHandler} keeps this object in the underlying connection's slot). Every method may
 * be called from any thread; the decoder state is touched only on the connection's loop.
 *
 * @param <F> the frame type
 */
public final class FramedConnection<F> implements Connection {

	private final Connection connection;

	private final FrameCodec<F> codec;

	final FrameDecoder<F> decoder;

	/** Made once per connection so that decoding a read allocates no sink. */
	final Consumer<F> frameSink;

	/** Set on the loop thread after a framing error: later reads are dropped. */
	boolean failed;

	private volatile Object attachment;

	FramedConnection(Connection connection, FrameCodec<F> codec, FrameHandler<F> handler) {
		this.connection = connection;
		this.codec = codec;
		this.decoder = codec.newDecoder();
		this.frameSink = (frame) -> handler.onFrame(this, frame);
	}

	/**
	 * Encodes {@code frame} with this connection's codec and writes it. Thread-safe; frames sent
	 * from one thread arrive in the order sent.
	 * @param frame the frame
	 */
	public void send(F frame) {
		this.connection.write(this.codec.encode(frame));
	}

	/** @return the codec of this connection's listener */
	public FrameCodec<F> codec() {
		return this.codec;
	}

	/** @return the underlying connection */
	public Connection unwrap() {
		return this.connection;
	}

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
	public void pauseReading() {
		this.connection.pauseReading();
	}

	@Override
	public void resumeReading() {
		this.connection.resumeReading();
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

	/** @return the handler's own attachment (not the underlying connection's) */
	@Override
	public Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(Object attachment) {
		this.attachment = attachment;
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
