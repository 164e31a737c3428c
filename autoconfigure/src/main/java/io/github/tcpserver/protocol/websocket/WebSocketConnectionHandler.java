package io.github.tcpserver.protocol.websocket;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.LongAdder;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.protocol.http.HttpRequest;

/**
 * The protocol of one connection after its handshake: feeds the bytes to the session's
 * {@link WebSocketFrameDecoder}, answers pings, runs the close handshake (RFC 6455 §7) and calls
 * the application's {@link WebSocketHandler}. Made per handshake by the
 * {@link WebSocketUpgradeHandler}; every method runs on the connection's loop thread.
 *
 * <h2>Session lifecycle</h2>
 * <ul>
 * <li><b>OPEN</b>: messages flow both ways; a ping is answered with a pong; a connection silent
 * for the ping interval is pinged, one silent for the idle timeout is dropped.</li>
 * <li><b>CLOSE_SENT</b> (the application closed, or the server shuts down with 1001): nothing more
 * is sent and data from the client is dropped; the client's Close, or the close timeout, ends it.</li>
 * <li><b>CLOSED</b>: the client's Close was answered, or the client broke the protocol (Close
 * 1002, 1007 or 1009 sent): queued output is written, then the TCP connection is closed by the
 * server first (§7.1.1).</li>
 * </ul>
 */
final class WebSocketConnectionHandler implements ConnectionHandler, WebSocketFrameDecoder.Sink {

	private static final System.Logger log = System.getLogger(WebSocketConnectionHandler.class.getName());

	private final WebSocketUpgradeHandler upgrades;

	private final WebSocketHandler handler;

	private final HttpRequest request;

	private final String subprotocol;

	private final PerMessageDeflate.Agreement deflate;

	private WebSocketSession session;

	private ScheduledFuture<?> pinger;

	WebSocketConnectionHandler(WebSocketUpgradeHandler upgrades, WebSocketHandler handler, HttpRequest request,
			String subprotocol, PerMessageDeflate.Agreement deflate) {
		this.upgrades = upgrades;
		this.deflate = deflate;
		this.handler = handler;
		this.request = request;
		this.subprotocol = subprotocol;
	}

	/** The counter the session adds sent messages to. */
	final LongAdder messagesOut() {
		return this.upgrades.messagesOut;
	}

	@Override
	public void onOpen(Connection connection) {
		WebSocketLimits limits = this.upgrades.limits();
		this.session = new WebSocketSession(connection, this.request, this.subprotocol, limits, this.deflate, this);
		connection.attach(this.session);
		connection.setReadIdleTimeout(limits.idleTimeout());
		this.upgrades.opened(this.session);
		this.pinger = this.upgrades.schedulePing(this.session, this::pingIfIdle);
		try {
			this.handler.onOpen(this.session);
		}
		catch (RuntimeException ex) {
			handlerFailed("onOpen", ex);
		}
	}

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		WebSocketSession session = this.session;
		session.lastReadNanos = System.nanoTime();
		session.pingSentNanos = 0;
		if (session.state == WebSocketSession.CLOSED || session.decoder.isDone()) {
			data.position(data.limit()); // §7.1.7: nothing is processed after the connection failed
			return;
		}
		try {
			session.decoder.decode(data, this);
		}
		catch (WebSocketProtocolException ex) {
			data.position(data.limit());
			fail(ex.closeCode(), ex.getMessage());
		}
	}

	@Override
	public void onText(String text) {
		this.upgrades.messagesIn.increment();
		if (this.session.state == WebSocketSession.OPEN) {
			try {
				this.handler.onText(this.session, text);
			}
			catch (RuntimeException ex) {
				handlerFailed("onText", ex);
			}
		}
	}

	@Override
	public void onBinary(ByteBuffer data) {
		this.upgrades.messagesIn.increment();
		if (this.session.state == WebSocketSession.OPEN) {
			try {
				this.handler.onBinary(this.session, data);
			}
			catch (RuntimeException ex) {
				handlerFailed("onBinary", ex);
			}
		}
	}

	@Override
	public void onPing(ByteBuffer payload) {
		if (this.session.state == WebSocketSession.OPEN) {
			raw().write(WebSocketFrameEncoder.pong(payload)); // §5.5.2: a Pong with the same payload
		}
	}

	@Override
	public void onPong(ByteBuffer payload) {
		// Proof of life: the read itself already reset the idle deadline.
	}

	@Override
	public void onClose(int code, String reason) {
		WebSocketSession session = this.session;
		session.closeReceived = true;
		session.closeCode = code;
		session.closeReason = reason;
		if (session.state == WebSocketSession.OPEN) {
			// §5.5.1: answer with a Close, echoing the code; then close the TCP connection (§7.1.1).
			raw().write((code == WebSocketCloseCodes.NO_STATUS)
					? WebSocketFrameEncoder.frame(WebSocketFrameDecoder.CLOSE, true, new byte[0], 0, 0, null)
					: WebSocketFrameEncoder.close(code, ""));
		}
		session.state = WebSocketSession.CLOSED;
		raw().closeAfterFlush();
	}

	/** Our side of the close handshake (§7.1.2). Loop thread. */
	void sendClose(WebSocketSession session, int code, String reason) {
		if (session.state != WebSocketSession.OPEN || !session.isOpen()) {
			return;
		}
		raw().write(WebSocketFrameEncoder.close(code, reason));
		session.state = WebSocketSession.CLOSE_SENT;
		session.closeCode = code;
		session.closeReason = reason;
		Duration closeTimeout = this.upgrades.limits().closeTimeout();
		if (closeTimeout.isZero()) {
			raw().closeAfterFlush();
		}
		else {
			raw().setReadIdleTimeout(closeTimeout); // a client that never answers does not hold the connection
		}
	}

	/** Fails the connection (§7.1.7): Close with the code, then the TCP connection, reading no more. */
	private void fail(int code, String message) {
		WebSocketSession session = this.session;
		if (code != WebSocketCloseCodes.INTERNAL_ERROR) {
			raw().reportProtocolError();
			this.upgrades.protocolErrors.increment();
		}
		log.log(Level.DEBUG, () -> "Closing " + session + " with " + code + ": " + message);
		if (session.state == WebSocketSession.OPEN) {
			raw().write(WebSocketFrameEncoder.close(code, message));
			session.closeCode = code;
			session.closeReason = message;
		}
		session.state = WebSocketSession.CLOSED;
		raw().closeAfterFlush();
	}

	private void handlerFailed(String callback, RuntimeException ex) {
		log.log(Level.WARNING, "WebSocket handler failed in " + callback + " on " + this.session + "; closing with 1011",
				ex);
		fail(WebSocketCloseCodes.INTERNAL_ERROR, "Internal error");
	}

	/** Runs on the loop every ping interval: pings a session silent that long (§5.5.2 keep-alive). */
	private void pingIfIdle() {
		WebSocketSession session = this.session;
		long interval = this.upgrades.limits().pingInterval().toNanos();
		if (session.state == WebSocketSession.OPEN && session.pingSentNanos == 0
				&& System.nanoTime() - session.lastReadNanos >= interval) {
			session.pingSentNanos = System.nanoTime();
			raw().write(WebSocketFrameEncoder.ping(new byte[0]));
		}
	}

	@Override
	public void onWritabilityChanged(Connection connection) {
		if (this.session.state == WebSocketSession.OPEN) {
			this.handler.onWritabilityChanged(this.session);
		}
	}

	@Override
	public void onInputClosed(Connection connection) {
		this.session.state = WebSocketSession.CLOSED; // the TCP connection ended without a Close: 1006
		connection.closeAfterFlush();
	}

	@Override
	public void onShutdown(Connection connection) {
		try {
			this.handler.onShutdown(this.session);
		}
		catch (RuntimeException ex) {
			log.log(Level.WARNING, "WebSocket handler failed in onShutdown on " + this.session, ex);
		}
		// After the farewell: the server closes the connection once this queued output is written.
		if (this.session.state == WebSocketSession.OPEN) {
			raw().write(WebSocketFrameEncoder.close(WebSocketCloseCodes.GOING_AWAY, "Server shutting down"));
			this.session.state = WebSocketSession.CLOSE_SENT;
			this.session.closeCode = WebSocketCloseCodes.GOING_AWAY;
			this.session.closeReason = "Server shutting down";
		}
	}

	@Override
	public void onClose(Connection connection) {
		WebSocketSession session = this.session;
		if (session == null) {
			return;
		}
		if (this.pinger != null) {
			this.pinger.cancel(false);
		}
		session.state = WebSocketSession.CLOSED;
		session.decoder.release();
		this.upgrades.closed(session);
		try {
			this.handler.onClose(session, session.closeCode, session.closeReason);
		}
		catch (RuntimeException ex) {
			log.log(Level.WARNING, "WebSocket handler failed in onClose on " + session, ex);
		}
	}

	private Connection raw() {
		return this.session.unwrap();
	}

	@Override
	public String description() {
		return "WebSocket " + this.request.path() + " (" + this.handler.getClass().getSimpleName()
				+ ((this.deflate != null) ? ", permessage-deflate" : "") + ")";
	}

}
