package io.github.tcpserver.sample.http;

import java.nio.ByteBuffer;

import io.github.tcpserver.protocol.websocket.WebSocketHandler;
import io.github.tcpserver.protocol.websocket.WebSocketSession;

/**
 * Sends every text and binary message back as it came: the sample's {@code ws://.../ws/echo}, the
 * starter's side of the WebSocket echo benchmark ({@code bench/ws.sh}).
 */
class EchoWebSocketHandler implements WebSocketHandler {

	@Override
	public void onText(WebSocketSession session, String text) {
		session.sendText(text);
	}

	@Override
	public void onBinary(WebSocketSession session, ByteBuffer data) {
		session.sendBinary(data);
	}

}
