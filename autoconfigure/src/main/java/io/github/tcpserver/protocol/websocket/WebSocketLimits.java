package io.github.tcpserver.protocol.websocket;

import java.time.Duration;
import java.util.List;

/**
 * The bounds of the WebSocket connections of one {@link WebSocketUpgradeHandler}: frame and
 * message sizes (larger ones close with 1009), the idle timeout and how long a close handshake may
 * take, and the browser origins allowed to connect. Immutable.
 *
 * @param maxFrameSize largest payload of one data frame, in bytes
 * @param maxMessageSize largest message (all fragments), in bytes; the memory one connection may hold for input
 * @param idleTimeout a connection from which nothing (not even a pong) arrives for this long is closed; zero for never
 * @param pingInterval a ping is sent to a connection silent for this long, so a live browser answers before the idle
 * timeout; zero for none
 * @param closeTimeout how long to wait for the client's Close after sending ours before closing the TCP connection
 * @param allowedOrigins {@code Origin} values allowed to connect ({@code *} for any); a request without
 * {@code Origin} (not a browser) and a same-origin request (the {@code Host} it was sent to) are always allowed
 * @param perMessageDeflate whether to accept a client's offer of permessage-deflate (RFC 7692); a compressed message
 * is inflated only up to {@code maxMessageSize}
 */
public record WebSocketLimits(int maxFrameSize, int maxMessageSize, Duration idleTimeout, Duration pingInterval,
		Duration closeTimeout, List<String> allowedOrigins, boolean perMessageDeflate) {

	/** Default {@link #maxFrameSize()}: 64 KiB, as browsers send a message as one frame. */
	public static final int DEFAULT_MAX_FRAME_SIZE = 64 * 1024;

	/** Default {@link #maxMessageSize()}: 64 KiB. */
	public static final int DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

	/** Default {@link #idleTimeout()}. */
	public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

	/** Default {@link #pingInterval()}: half the idle timeout, so one lost pong is no reason to close. */
	public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(25);

	/** Default {@link #closeTimeout()}. */
	public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

	public WebSocketLimits {
		if (maxFrameSize < 1 || maxMessageSize < 1) {
			throw new IllegalArgumentException("maxFrameSize and maxMessageSize must be positive");
		}
		if (idleTimeout.isNegative() || pingInterval.isNegative() || closeTimeout.isNegative()) {
			throw new IllegalArgumentException("Timeouts must not be negative");
		}
		allowedOrigins = List.copyOf(allowedOrigins);
	}

	/** @return the defaults; only same-origin browser pages may connect */
	public static WebSocketLimits defaults() {
		return new WebSocketLimits(DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_IDLE_TIMEOUT,
				DEFAULT_PING_INTERVAL, DEFAULT_CLOSE_TIMEOUT, List.of(), false);
	}

	/** @return these limits with other frame and message size limits */
	public WebSocketLimits withSizes(int maxFrameSize, int maxMessageSize) {
		return new WebSocketLimits(maxFrameSize, maxMessageSize, this.idleTimeout, this.pingInterval, this.closeTimeout,
				this.allowedOrigins, this.perMessageDeflate);
	}

	/** @return these limits with other timeouts */
	public WebSocketLimits withTimeouts(Duration idleTimeout, Duration pingInterval, Duration closeTimeout) {
		return new WebSocketLimits(this.maxFrameSize, this.maxMessageSize, idleTimeout, pingInterval, closeTimeout,
				this.allowedOrigins, this.perMessageDeflate);
	}

	/** @return these limits with other allowed origins */
	public WebSocketLimits withAllowedOrigins(List<String> allowedOrigins) {
		return new WebSocketLimits(this.maxFrameSize, this.maxMessageSize, this.idleTimeout, this.pingInterval,
				this.closeTimeout, allowedOrigins, this.perMessageDeflate);
	}

	/** @return these limits with permessage-deflate accepted or not */
	public WebSocketLimits withPerMessageDeflate(boolean perMessageDeflate) {
		return new WebSocketLimits(this.maxFrameSize, this.maxMessageSize, this.idleTimeout, this.pingInterval,
				this.closeTimeout, this.allowedOrigins, perMessageDeflate);
	}

}
