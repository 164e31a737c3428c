package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Writes down what a decoder hands out, one readable line per event. */
final class RecordingSink implements WebSocketFrameDecoder.Sink {

	final List<String> events = new ArrayList<>();

	@Override
	public void onText(String text) {
		this.events.add("text " + text);
	}

	@Override
	public void onBinary(ByteBuffer data) {
		this.events.add("binary " + hex(data));
	}

	@Override
	public void onPing(ByteBuffer payload) {
		this.events.add("ping " + hex(payload));
	}

	@Override
	public void onPong(ByteBuffer payload) {
		this.events.add("pong " + hex(payload));
	}

	@Override
	public void onClose(int code, String reason) {
		this.events.add("close " + code + " " + reason);
	}

	static String hex(ByteBuffer data) {
		byte[] bytes = new byte[data.remaining()];
		data.get(bytes);
		return (bytes.length > 16) ? bytes.length + " bytes" : HexFormat.of().formatHex(bytes);
	}

}
