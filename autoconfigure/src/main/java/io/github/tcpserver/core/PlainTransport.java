package io.github.tcpserver.core;

import java.nio.ByteBuffer;

import javax.net.ssl.SSLSession;

/**
 * The default layer: bytes pass through untouched, the handler reads the loop's buffer itself and
 * its writes go straight to the socket. No copy, no allocation, one call each way.
 */
final class PlainTransport implements Transport {

	private final TransportContext connection;

	PlainTransport(TransportContext connection) {
		this.connection = connection;
	}

	@Override
	public void start() {
		this.connection.opened();
	}

	@Override
	public void onInbound(ByteBuffer wire) {
		this.connection.deliver(wire);
	}

	@Override
	public void write(ByteBuffer data, boolean owned) {
		this.connection.send(data, owned);
	}

	@Override
	public void onEndOfInput() {
		this.connection.inputEnded();
	}

	@Override
	public void closeOutbound() {
	}

	@Override
	public void onClose(boolean outputIdle) {
	}

	@Override
	public void checkTimeouts(long now) {
	}

	@Override
	public SSLSession session() {
		return null;
	}

	@Override
	public boolean passesBytesThrough() {
		return true;
	}

}
