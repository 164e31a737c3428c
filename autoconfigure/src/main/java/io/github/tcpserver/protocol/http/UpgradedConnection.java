package io.github.tcpserver.protocol.http;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ForwardingConnection;

/**
 * A connection as the protocol it was upgraded to sees it: the same connection with an attachment
 * slot of its own, since the {@link HttpServerHandler} keeps its state in the underlying one.
 * Every method may be called from any thread; the rest, {@code execute} included, is the
 * underlying connection's.
 */
final class UpgradedConnection extends ForwardingConnection {

	private volatile Object attachment;

	UpgradedConnection(Connection connection) {
		super(connection);
	}

	@Override
	public Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(Object attachment) {
		this.attachment = attachment;
	}

}
