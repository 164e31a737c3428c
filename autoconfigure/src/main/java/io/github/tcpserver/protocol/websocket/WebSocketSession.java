package io.github.tcpserver.protocol.websocket;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ForwardingConnection;
import io.github.tcpserver.protocol.http.HttpRequest;

/**
 * One WebSocket connection as a {@link WebSocketHandler} sees it: the underlying
 * {@link Connection} (identity, backpressure, deadlines) whose writes are messages, plus the
 * handshake request, the chosen subprotocol and the close handshake. Every method may be called
 * from any thread; messages sent from one thread arrive in the order sent.
 * <p>
 * {@link #write(ByteBuffer)} sends one binary message and {@link #write(String)} one text
 * message; {@link #closeAfterFlush()} is a normal close (1000) and {@link #close()} drops the
 * TCP connection without a close handshake.
 */
public final class WebSocketSession extends ForwardingConnection {

	/** Open: messages flow both ways. */
	static final int OPEN = 0;

	/** Our Close is sent; waiting for the client's (§7.1.2), nothing more is sent. */
	static final int CLOSE_SENT = 1;

	/** The close handshake is over or the connection failed; the TCP connection is closing. */
	static final int CLOSED = 2;

	private final HttpRequest request;

	private final String subprotocol;

	final WebSocketFrameDecoder decoder;

	/** Whether permessage-deflate was agreed in the handshake. */
	private final boolean deflate;

	/** Written on the loop thread only; read by senders on any thread. */
	volatile int state = OPEN;

	/** The close code and reason for {@link WebSocketHandler#onClose}: the client's, else ours. */
	int closeCode = WebSocketCloseCodes.ABNORMAL;

	String closeReason = "";

	boolean closeReceived;

	/** When the last bytes arrived (nanoTime), for the idle ping. */
	volatile long lastReadNanos = System.nanoTime();

	/** When a ping went out unanswered (nanoTime), 0 when none is outstanding. */
	long pingSentNanos;

	private final WebSocketConnectionHandler protocol;

	private volatile Object attachment;

	WebSocketSession(Connection connection, HttpRequest request, String subprotocol, WebSocketLimits limits,
			PerMessageDeflate.Agreement deflate, WebSocketConnectionHandler protocol) {
		super(connection);
		this.request = request;
		this.subprotocol = subprotocol;
		this.deflate = deflate != null;
		this.decoder = new WebSocketFrameDecoder(limits.maxFrameSize(), limits.maxMessageSize(), true, deflate != null,
				deflate != null && deflate.clientNoContextTakeover());
		this.protocol = protocol;
	}

	/** @return the path the client connected to, such as {@code /chat} */
	public String path() {
		return this.request.path();
	}

	/** @return the handshake request: query parameters, cookies, headers */
	public HttpRequest handshakeRequest() {
		return this.request;
	}

	/** @return whether messages are compressed with permessage-deflate (RFC 7692), as agreed in the handshake */
	public boolean isCompressed() {
		return this.deflate;
	}

	/** @return the subprotocol agreed in the handshake (RFC 6455 §1.9), or {@code null} */
	public String subprotocol() {
		return this.subprotocol;
	}

	/**
	 * Sends one text message. Dropped once the session is closing.
	 * @param text the message
	 */
	public void sendText(String text) {
		if (this.deflate) {
			sendCompressed(WebSocketFrameDecoder.TEXT, text.getBytes(StandardCharsets.UTF_8));
			return;
		}
		send(WebSocketFrameEncoder.text(text));
	}

	/**
	 * Sends one binary message of the remaining bytes of {@code data}. Dropped once the session is closing.
	 * @param data the message; its position is advanced to its limit
	 */
	public void sendBinary(ByteBuffer data) {
		if (this.deflate) {
			byte[] payload = new byte[data.remaining()];
			data.get(payload);
			sendCompressed(WebSocketFrameDecoder.BINARY, payload);
			return;
		}
		send(WebSocketFrameEncoder.binary(data));
	}

	/** permessage-deflate agreed: every data message goes compressed (RFC 7692 §6). */
	private void sendCompressed(int opcode, byte[] payload) {
		byte[] compressed = PerMessageDeflate.compress(payload);
		send(WebSocketFrameEncoder.frame(opcode, true, true, compressed, 0, -1, null));
	}

	/** Sends one text message of bytes the caller knows to be UTF-8 (a text codec's output). */
	void sendUtf8Text(ByteBuffer utf8) {
		byte[] payload = new byte[utf8.remaining()];
		utf8.get(payload);
		if (this.deflate) {
			sendCompressed(WebSocketFrameDecoder.TEXT, payload);
			return;
		}
		send(WebSocketFrameEncoder.frame(WebSocketFrameDecoder.TEXT, true, payload, 0, -1, null));
	}

	private void send(ByteBuffer frame) {
		// §5.5.1: nothing after our Close. A send racing a close from another thread may still
		// reach the loop after the Close frame; the client then ignores it (§5.5.1 lets it).
		if (this.state == OPEN) {
			delegate().write(frame);
			this.protocol.messagesOut().increment();
		}
	}

	/** Sends one binary message. */
	@Override
	public void write(ByteBuffer data) {
		sendBinary(data);
	}

	/** Sends one text message. */
	@Override
	public void write(String text) {
		sendText(text);
	}

	/** Unsupported: raw file bytes would break the framing; send messages instead. */
	@Override
	public CompletionStage<Void> sendFile(FileChannel file, long position, long count) {
		throw new UnsupportedOperationException("A WebSocket sends messages, not raw file bytes");
	}

	/** Unsupported: raw stream bytes would break the framing; send messages instead. */
	@Override
	public CompletionStage<Long> sendStream(InputStream in, Executor executor) {
		throw new UnsupportedOperationException("A WebSocket sends messages, not raw stream bytes");
	}

	/**
	 * Starts the close handshake (RFC 6455 §7.1.2): sends a Close frame, then waits for the
	 * client's for {@code close-timeout} before closing the TCP connection. Idempotent.
	 * @param code a code that may be sent ({@link WebSocketCloseCodes#isSendable})
	 * @param reason a short reason (cut to 123 bytes)
	 */
	public void close(int code, String reason) {
		WebSocketFrameEncoder.closePayload(code, reason); // fail fast on the caller's thread for a bad code
		execute(() -> this.protocol.sendClose(this, code, reason));
	}

	/** A normal close: Close 1000, then the TCP connection after the client's Close. */
	@Override
	public void closeAfterFlush() {
		close(WebSocketCloseCodes.NORMAL, "");
	}

	/** @return {@code false} once the session is closing, otherwise as the connection */
	@Override
	public boolean isWritable() {
		return this.state == OPEN && super.isWritable();
	}

	/** @return whether messages can still be sent: no Close sent or received */
	public boolean isOpenForMessages() {
		return this.state == OPEN && isOpen();
	}

	/** @return the underlying connection */
	public Connection unwrap() {
		return delegate();
	}

	/** @return the handler's own attachment */
	@Override
	public Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(Object attachment) {
		this.attachment = attachment;
	}

	@Override
	public String toString() {
		return "WebSocket " + path() + " on " + delegate();
	}

}
