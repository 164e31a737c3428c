package io.github.tcpserver.protocol.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import io.github.tcpserver.codec.FrameCodec;
import io.github.tcpserver.codec.FrameDecoder;
import io.github.tcpserver.protocol.FrameHandler;
import io.github.tcpserver.protocol.FramedConnection;

/**
 * Runs a text {@link FrameHandler} (such as the chat protocol) on a WebSocket route: one text
 * message is one frame, each frame sent is one text message, and closing the framed connection is
 * a normal WebSocket close. So the same protocol object serves {@code nc} users on a line listener
 * and browsers on WebSocket.
 *
 * <pre class="code">
 * new WebSocketUpgradeHandler(limits).route("/chat", new TextFrameWebSocketHandler(new ChatProtocol(room)));
 * </pre>
 */
public final class TextFrameWebSocketHandler implements WebSocketHandler {

	/** Frames are whole text messages: the WebSocket decoder has already cut and checked them. */
	private static final FrameCodec<String> TEXT_MESSAGES = new FrameCodec<>() {

		@Override
		public FrameDecoder<String> newDecoder() {
			return (ByteBuffer in, Consumer<? super String> out) -> {
				byte[] bytes = new byte[in.remaining()];
				in.get(bytes);
				out.accept(new String(bytes, StandardCharsets.UTF_8));
			};
		}

		@Override
		public ByteBuffer encode(String frame) {
			return StandardCharsets.UTF_8.encode(frame);
		}

		@Override
		public String toString() {
			return "WebSocket text messages";
		}

	};

	private final FrameHandler<String> handler;

	public TextFrameWebSocketHandler(FrameHandler<String> handler) {
		this.handler = handler;
	}

	/** @return the text protocol this adapter runs */
	public FrameHandler<String> frameHandler() {
		return this.handler;
	}

	@Override
	public void onOpen(WebSocketSession session) {
		FramedConnection<String> framed = new FramedConnection<>(new TextMessageConnection(session), TEXT_MESSAGES,
				this.handler);
		session.attach(framed);
		this.handler.onOpen(framed);
	}

	@Override
	public void onText(WebSocketSession session, String text) {
		this.handler.onFrame(framed(session), text);
	}

	@Override
	public void onWritabilityChanged(WebSocketSession session) {
		this.handler.onWritabilityChanged(framed(session));
	}

	@Override
	public void onShutdown(WebSocketSession session) {
		this.handler.onShutdown(framed(session));
	}

	@Override
	public void onClose(WebSocketSession session, int code, String reason) {
		FramedConnection<String> framed = framed(session);
		if (framed == null) {
			return;
		}
		if (code != WebSocketCloseCodes.ABNORMAL) {
			this.handler.onInputClosed(framed); // the client left cleanly: as the end of stream of a TCP client
		}
		this.handler.onClose(framed);
	}

	@SuppressWarnings("unchecked")
	private static FramedConnection<String> framed(WebSocketSession session) {
		return (FramedConnection<String>) session.attachment();
	}

	@Override
	public String toString() {
		return "TextFrameWebSocketHandler [" + this.handler.getClass().getSimpleName() + "]";
	}

}
