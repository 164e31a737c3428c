package io.github.tcpserver.autoconfigure;

/**
 * The application's {@code @SocketHandler} beans cannot be turned into listeners: none exists, one
 * is not a {@code ConnectionHandler}, its port or address is invalid, or two share a port.
 * Reported at start-up by {@link SocketHandlerConfigurationFailureAnalyzer}.
 */
public class SocketHandlerConfigurationException extends IllegalStateException {

	private final String action;

	public SocketHandlerConfigurationException(String description, String action) {
		super(description);
		this.action = action;
	}

	/** @return what the developer should do about it */
	public String getAction() {
		return this.action;
	}

}
