package io.github.tcpserver.context;

import io.github.tcpserver.core.Connection;

/**
 * A connection was accepted; published before its handler's {@code onOpen}.
 */
public class TcpConnectionOpenedEvent extends TcpConnectionEvent {

	public TcpConnectionOpenedEvent(Connection connection) {
		super(connection);
	}

}
