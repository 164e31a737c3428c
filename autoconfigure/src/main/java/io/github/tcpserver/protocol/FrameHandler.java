package io.github.tcpserver.protocol;

import io.github.tcpserver.codec.FrameException;

/**
 * A protocol that speaks in whole frames rather than bytes; run it with a {@link FramingHandler}
 * that names its codec. Callbacks of one connection run on its I/O loop thread, one at a time,
 * and must not block, as for {@link io.github.tcpserver.core.ConnectionHandler}.
 *
 * @param <F> the frame type of the codec
 */
public interface FrameHandler<F> {

	/**
	 * A connection opened.
	 * @param connection the connection
	 */
	default void onOpen(FramedConnection<F> connection) {
	}

	/**
	 * One whole frame arrived. A {@code ByteBuffer} frame is valid only during this call.
	 * @param connection the connection it came from
	 * @param frame the frame
	 */
	void onFrame(FramedConnection<F> connection, F frame);

	/**
	 * The peer broke the framing (a frame over the limit, malformed text). The connection stops
	 * being read and is closed after this returns, once queued output is written; queue a short
	 * error reply here if the protocol has one.
	 * @param connection the connection
	 * @param error what was wrong
	 */
	default void onFrameError(FramedConnection<F> connection, FrameException error) {
	}

	/**
	 * {@code connection.isWritable()} may have changed: see
	 * {@link io.github.tcpserver.core.ConnectionHandler#onWritabilityChanged}.
	 * A handler that sends more than it receives writes while {@code connection.isWritable()}
	 * holds and goes on from here.
	 * @param connection the connection
	 */
	default void onWritabilityChanged(FramedConnection<F> connection) {
	}

	/**
	 * The peer shut down its output. An unfinished frame is dropped. The default closes once
	 * queued output is written.
	 * @param connection the connection
	 */
	default void onInputClosed(FramedConnection<F> connection) {
		connection.closeAfterFlush();
	}

	/**
	 * The server is shutting down gracefully; a farewell frame may be sent here.
	 * @param connection a connection still open
	 */
	default void onShutdown(FramedConnection<F> connection) {
	}

	/**
	 * A callback threw or the socket failed; the connection is closed right after.
	 * @param connection the connection
	 * @param error what went wrong
	 */
	default void onError(FramedConnection<F> connection, Throwable error) {
	}

	/**
	 * The connection is closed. Called exactly once.
	 * @param connection the connection
	 */
	default void onClose(FramedConnection<F> connection) {
	}

}
