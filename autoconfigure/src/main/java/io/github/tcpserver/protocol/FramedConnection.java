package io.github.tcpserver.protocol;

import java.util.function.Consumer;

import io.github.tcpserver.codec.FrameCodec;
import io.github.tcpserver.codec.FrameDecoder;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ForwardingConnection;

/**
 * A connection as a {@link FrameHandler} sees it: the underlying {@link Connection} plus
 * {@link #send(Object)} in its codec, and its own {@link #attach(Object) attachment} slot (the
 * {@link FramingHandler} keeps this object in the underlying connection's slot). Every method may
 * be called from any thread; the decoder state is touched only where the framing handler's
 * callbacks run (the connection's loop, or its offloaded executor's turn, one at a time), and
 * {@link #execute(Runnable)} runs there too.
 *
 * @param <F> the frame type
 */
public final class FramedConnection<F> extends ForwardingConnection {

	private final FrameCodec<F> codec;

	final FrameDecoder<F> decoder;

	/** Made once per connection so that decoding a read allocates no sink. */
	final Consumer<F> frameSink;

	/** Set on the loop thread after a framing error: later reads are dropped. */
	boolean failed;

	private volatile Object attachment;

	/**
	 * Made by a {@link FramingHandler}, or by an adapter that cuts the frames itself and calls the
	 * handler (a WebSocket route whose text messages are the frames).
	 * @param connection the connection frames are written to, encoded with {@code codec}
	 * @param codec the framing
	 * @param handler the handler the frames are for
	 */
	public FramedConnection(Connection connection, FrameCodec<F> codec, FrameHandler<F> handler) {
		super(connection);
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
		delegate().write(this.codec.encode(frame));
	}

	/** @return the codec of this connection's listener */
	public FrameCodec<F> codec() {
		return this.codec;
	}

	/** @return the underlying connection */
	public Connection unwrap() {
		return delegate();
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

}
