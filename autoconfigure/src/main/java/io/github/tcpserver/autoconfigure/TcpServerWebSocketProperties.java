package io.github.tcpserver.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.github.tcpserver.protocol.websocket.WebSocketLimits;

/**
 * Limits of WebSocket sessions ({@code tcp.server.websocket.*}), applied by every
 * {@code WebSocketUpgradeHandler} built with the auto-configured {@link WebSocketLimits}. A frame
 * or message over its size closes the session with 1009.
 */
@ConfigurationProperties("tcp.server.websocket")
public class TcpServerWebSocketProperties {

	/** Largest payload of one data frame; larger closes the session with 1009. */
	private DataSize maxFrameSize = DataSize.ofBytes(WebSocketLimits.DEFAULT_MAX_FRAME_SIZE);

	/** Largest message, all its fragments together; larger closes the session with 1009. */
	private DataSize maxMessageSize = DataSize.ofBytes(WebSocketLimits.DEFAULT_MAX_MESSAGE_SIZE);

	/** Close a session from which nothing (not even a pong) arrives for this long; 0 for never. */
	private Duration idleTimeout = WebSocketLimits.DEFAULT_IDLE_TIMEOUT;

	/** Ping a session that has been silent this long, so live clients answer before the idle timeout; 0 for no pings. */
	private Duration pingInterval = WebSocketLimits.DEFAULT_PING_INTERVAL;

	/** How long to wait for the client's Close after sending ours before closing the TCP connection. */
	private Duration closeTimeout = WebSocketLimits.DEFAULT_CLOSE_TIMEOUT;

	/** Origin values of browser pages allowed to connect besides the same origin, such as https://example.com; * for any. */
	private List<String> allowedOrigins = new ArrayList<>();

	/** Accept a client's offer of permessage-deflate (RFC 7692) compression; a message is inflated only up to max-message-size. */
	private boolean permessageDeflate;

	public boolean isPermessageDeflate() {
		return this.permessageDeflate;
	}

	public void setPermessageDeflate(boolean permessageDeflate) {
		this.permessageDeflate = permessageDeflate;
	}

	public DataSize getMaxFrameSize() {
		return this.maxFrameSize;
	}

	public void setMaxFrameSize(DataSize maxFrameSize) {
		requirePositiveInt("tcp.server.websocket.max-frame-size", maxFrameSize);
		this.maxFrameSize = maxFrameSize;
	}

	public DataSize getMaxMessageSize() {
		return this.maxMessageSize;
	}

	public void setMaxMessageSize(DataSize maxMessageSize) {
		requirePositiveInt("tcp.server.websocket.max-message-size", maxMessageSize);
		this.maxMessageSize = maxMessageSize;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public Duration getPingInterval() {
		return this.pingInterval;
	}

	public void setPingInterval(Duration pingInterval) {
		this.pingInterval = pingInterval;
	}

	public Duration getCloseTimeout() {
		return this.closeTimeout;
	}

	public void setCloseTimeout(Duration closeTimeout) {
		this.closeTimeout = closeTimeout;
	}

	public List<String> getAllowedOrigins() {
		return this.allowedOrigins;
	}

	public void setAllowedOrigins(List<String> allowedOrigins) {
		this.allowedOrigins = allowedOrigins;
	}

	/** @return the limits these properties describe */
	public WebSocketLimits toLimits() {
		return new WebSocketLimits((int) this.maxFrameSize.toBytes(), (int) this.maxMessageSize.toBytes(),
				this.idleTimeout, this.pingInterval, this.closeTimeout, this.allowedOrigins, this.permessageDeflate);
	}

	private static void requirePositiveInt(String name, DataSize size) {
		if (size.toBytes() < 1 || size.toBytes() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(name + " must be between 1B and 2GB but was " + size);
		}
	}

}
