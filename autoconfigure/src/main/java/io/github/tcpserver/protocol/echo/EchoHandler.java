package io.github.tcpserver.protocol.echo;

import java.nio.ByteBuffer;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;

/**
 * Echo (RFC 862): every byte received is sent back, in order. On the loop thread with an empty
 * outbound queue the read buffer goes straight back to the socket, so echo copies nothing.
 */
public class EchoHandler implements ConnectionHandler {

	@Override
	public void onRead(Connection connection, ByteBuffer data) {
		connection.write(data);
	}

}
