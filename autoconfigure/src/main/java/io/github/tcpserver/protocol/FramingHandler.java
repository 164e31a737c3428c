package io.github.tcpserver.protocol;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

import io.github.tcpserver.codec.FrameCodec;
import io.github.tcpserver.codec.FrameException;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * The adapter between the reactor and a frame protocol: a {@link ConnectionHandler} that gives
 * each connection a decoder of the declared {@link FrameCodec} and hands whole frames to a
 * {@link FrameHandler}. A framing error stops reading, lets the handler reply, then closes that
 * connection only.
 *
 * <pre class="code">
 * new FramingHandler&lt;&gt;(new LineCodec(1024), (connection, line) -&gt; connection.send(line.toUpperCase()));
 * </pre>
 *
 * @param <F> the frame type
 */
public class FramingHandler<F> implements ConnectionHandler {

	private static final System.Logger log = System.getLogger(FramingHandler.class.getName());

	private final FrameCodec<F> codec;

	private final FrameHandler<F> handler;

	public FramingHandler(FrameCodec<F> codec, FrameHandler<F> handler) {
		this.codec = codec;
		this.handler = handler;
	}

	public FrameCodec<F> codec() {
		return this.codec;
	}

	public FrameHandler<F> frameHandler() {
		return this.handler;
	}

	@Override
	public void onOpen(Connection connection) {
		FramedConnection<F> framed = new FramedConnection<>(connection, this.codec, this.handler);
		connection.attach(framed);
		this.handler.onOpen(framed);
	}

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		FramedConnection<F> framed = framed(connection);
		if (framed.failed) {
			data.position(data.limit());
			return;
		}
		try {
			framed.decoder.decode(data, framed.frameSink);
		}
		catch (FrameException ex) {
			framed.failed = true;
			connection.reportProtocolError();
			log.log(Level.DEBUG, () -> "Closing " + connection + ": " + ex.getMessage() + " (" + this.codec + ")");
			try {
				this.handler.onFrameError(framed, ex);
			}
			finally {
				connection.closeAfterFlush();
			}
		}
	}

	@Override
	public void onWritabilityChanged(Connection connection) {
		this.handler.onWritabilityChanged(framed(connection));
	}

	@Override
	public void onInputClosed(Connection connection) {
		this.handler.onInputClosed(framed(connection));
	}

	@Override
	public void onShutdown(Connection connection) {
		this.handler.onShutdown(framed(connection));
	}

	@Override
	public void onError(Connection connection, Throwable error) {
		FramedConnection<F> framed = framedOrNull(connection);
		if (framed != null) {
			this.handler.onError(framed, error);
		}
	}

	@Override
	public void onClose(Connection connection) {
		FramedConnection<F> framed = framedOrNull(connection);
		if (framed != null) {
			this.handler.onClose(framed);
		}
	}

	@SuppressWarnings("unchecked")
	private FramedConnection<F> framed(Connection connection) {
		return (FramedConnection<F>) connection.attachment();
	}

	/** onOpen may have failed before attaching; the close of such a connection has no frame side. */
	private FramedConnection<F> framedOrNull(Connection connection) {
		return (connection.attachment() instanceof FramedConnection<?>) ? framed(connection) : null;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + " [" + this.codec + ", " + this.handler.getClass().getSimpleName() + "]";
	}


	@Override
	public String description() {
		return this.handler.getClass().getSimpleName() + " over " + this.codec;
	}

}
