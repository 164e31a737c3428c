package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;

/**
 * The application's side of a WebSocket route: whole messages in, a {@link WebSocketSession} to
 * answer on. Callbacks of one session run on its I/O loop thread, one at a time, and must not
 * block, as for {@link io.github.tcpserver.core.ConnectionHandler}. What a callback throws closes
 * the session with 1011.
 */
public interface WebSocketHandler {

	/**
	 * The handshake is done (the 101 is queued); messages may be sent.
	 * @param session the new session
	 */
	default void onOpen(WebSocketSession session) {
	}

	/**
	 * A whole text message arrived (fragments joined, UTF-8 checked). The default refuses it with 1003.
	 * @param session the session
	 * @param text the message
	 */
	default void onText(WebSocketSession session, String text) {
		session.close(WebSocketCloseCodes.UNSUPPORTED_DATA, "Text messages are not accepted");
	}

	/**
	 * A whole binary message arrived. The default refuses it with 1003.
	 * @param session the session
	 * @param data the message, valid only during this call: copy what you keep
	 */
	default void onBinary(WebSocketSession session, ByteBuffer data) {
		session.close(WebSocketCloseCodes.UNSUPPORTED_DATA, "Binary messages are not accepted");
	}

	/**
	 * {@code session.isWritable()} may have changed: see
	 * {@link io.github.tcpserver.core.ConnectionHandler#onWritabilityChanged}. A handler that sends
	 * more than it receives sends while {@code session.isWritable()} holds and goes on from here.
	 * @param session the session
	 */
	default void onWritabilityChanged(WebSocketSession session) {
	}

	/**
	 * The server is shutting down gracefully: a last message may be sent here; the server then
	 * sends Close 1001 after it and closes the connection.
	 * @param session a session still open
	 */
	default void onShutdown(WebSocketSession session) {
	}

	/**
	 * The session ended. Called exactly once.
	 * @param session the session
	 * @param code the close code: the client's, ours if the client never answered, or
	 * {@link WebSocketCloseCodes#ABNORMAL} (1006) when the TCP connection ended without a Close frame
	 * @param reason the reason that came with the code, empty when none
	 */
	default void onClose(WebSocketSession session, int code, String reason) {
	}

}
