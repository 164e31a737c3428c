package io.github.tcpserver.context;

import io.github.tcpserver.core.Connection;

/**
 * A connection closed, for any reason; its byte counts are final.
 */
public class TcpConnectionClosedEvent extends TcpConnectionEvent {

	public TcpConnectionClosedEvent(Connection connection) {
		super(connection);
	}

}
