package io.github.tcpserver.context;

import org.springframework.context.ApplicationEvent;

import io.github.tcpserver.core.Connection;

/**
 * Base of the connection events published when {@code tcp.server.events.enabled=true}. Listeners
 * run on the connection's I/O loop thread: they must be quick and must not block.
 */
public abstract class TcpConnectionEvent extends ApplicationEvent {

	protected TcpConnectionEvent(Connection connection) {
		super(connection);
	}

	/** @return the connection the event is about */
	public Connection getConnection() {
		return (Connection) getSource();
	}

}
