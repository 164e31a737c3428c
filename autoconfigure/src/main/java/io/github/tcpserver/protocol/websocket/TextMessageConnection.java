package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;

import io.github.tcpserver.core.ForwardingConnection;

/**
 * The connection a {@link TextFrameWebSocketHandler}'s frame handler writes to: each write is one
 * text message (the bytes are UTF-8 from the text codec), and closing is a WebSocket close.
 * Every method may be called from any thread, as on the {@link WebSocketSession} it forwards to.
 */
final class TextMessageConnection extends ForwardingConnection {

	private final WebSocketSession session;

	TextMessageConnection(WebSocketSession session) {
		super(session);
		this.session = session;
	}

	@Override
	public void write(ByteBuffer utf8) {
		this.session.sendUtf8Text(utf8);
	}

	@Override
	public void write(String text) {
		this.session.sendText(text);
	}

	@Override
	public void closeAfterFlush() {
		this.session.closeAfterFlush();
	}

}
