package io.github.tcpserver.core;

import java.io.IOException;

/**
 * A listener could not bind because its port is taken by another process or listener.
 */
public class PortInUseException extends IllegalStateException {

	private final String listenerName;

	private final int port;

	public PortInUseException(String listenerName, String address, int port, IOException cause) {
		super("Port " + port + " (" + address + ") of TCP listener '" + listenerName + "' is already in use", cause);
		this.listenerName = listenerName;
		this.port = port;
	}

	public String getListenerName() {
		return this.listenerName;
	}

	public int getPort() {
		return this.port;
	}

}
