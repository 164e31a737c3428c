package io.github.tcpserver.core;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Function;

import javax.net.ssl.SSLSession;

import io.github.tcpserver.core.proxy.ProxyHeader;
import io.github.tcpserver.core.proxy.ProxyHeaderRefusal;
import io.github.tcpserver.core.proxy.ProxyProtocolDecoder;
import io.github.tcpserver.core.proxy.ProxyProtocolException;

/**
 * The PROXY protocol layer, first on the read path: it refuses untrusted peers, decodes the header
 * the balancer sends before anything else (before a TLS ClientHello too), tells the connection who
 * the client is, then creates the next layer (TLS or plain) and hands it the bytes after the header.
 * Until the header is complete nothing reaches the next layer or the handler (proxy-protocol.txt
 * section 2); after it, every call passes straight through.
 */
final class ProxyProtocolTransport implements Transport {

	private static final System.Logger log = System.getLogger(ProxyProtocolTransport.class.getName());

	private final TransportContext connection;

	private final ProxyProtocolSettings settings;

	private final ProxyProtocolStats stats;

	private final Function<TransportContext, Transport> nextLayer;

	/** Decodes the header; {@code null} once it completed or failed. */
	private ProxyProtocolDecoder decoder;

	/** The layer after the header, {@code null} until then. */
	private Transport next;

	private long deadlineNanos;

	ProxyProtocolTransport(TransportContext connection, ProxyProtocolSettings settings, ProxyProtocolStats stats,
			Function<TransportContext, Transport> nextLayer) {
		this.connection = connection;
		this.settings = settings;
		this.stats = stats;
		this.nextLayer = nextLayer;
	}

	@Override
	public void start() {
		InetSocketAddress peer = this.connection.remoteAddress();
		if (!this.settings.trusts(peer.getAddress())) {
			// A direct client would otherwise be free to claim any address in its header.
			this.stats.refused(ProxyHeaderRefusal.UNTRUSTED);
			Level level = this.stats.firstUntrusted() ? Level.INFO : Level.DEBUG;
			log.log(level, () -> "Refused a connection from " + peer + ": not a trusted proxy of this PROXY protocol"
					+ " listener (tcp.server.proxy-protocol.trusted-proxies is " + this.settings.trustedProxies()
					+ "); counted as tcp.server.proxy.headers{outcome=refused,reason=untrusted}"
					+ (level == Level.INFO ? ", later ones are logged at DEBUG" : ""));
			this.connection.layerFailed();
			return;
		}
		this.decoder = new ProxyProtocolDecoder(this.settings.mode(), this.settings.maxHeaderLength());
		this.deadlineNanos = this.connection.now() + this.settings.headerTimeout().toNanos();
	}

	@Override
	public void onInbound(ByteBuffer wire) {
		if (this.next != null) {
			this.next.onInbound(wire);
			return;
		}
		if (this.decoder == null) {
			return; // refused: the connection is closing
		}
		ProxyHeader header;
		try {
			header = this.decoder.decode(wire);
		}
		catch (ProxyProtocolException ex) {
			refuse(ex.reason(), ex.getMessage());
			return;
		}
		if (header == null) {
			return;
		}
		this.decoder = null;
		((header.version() == 1) ? this.stats.acceptedV1 : this.stats.acceptedV2).increment();
		if (header.local()) {
			this.stats.local.increment();
		}
		InetSocketAddress proxy = this.connection.remoteAddress();
		log.log(Level.DEBUG, () -> (header.local() ? "PROXY v2 LOCAL (a health check of the balancer " + proxy + ")"
				: "PROXY v" + header.version() + " header from " + proxy + ": client " + header.source()));
		this.connection.proxied(header);
		this.next = this.nextLayer.apply(this.connection);
		this.next.start();
		if (wire.hasRemaining() && this.connection.isOpen()) {
			this.next.onInbound(wire);
		}
	}

	private void refuse(ProxyHeaderRefusal reason, String why) {
		this.decoder = null;
		this.stats.refused(reason);
		log.log(Level.DEBUG, () -> "Closing a connection from " + this.connection.remoteAddress() + ": " + why
				+ " (PROXY protocol header refused: " + reason.tag() + ")");
		this.connection.layerFailed();
	}

	@Override
	public void write(ByteBuffer data, boolean owned) {
		if (this.next != null) {
			this.next.write(data, owned);
		}
		// Before the header the handler has not heard onOpen, so nothing is written.
	}

	@Override
	public void onEndOfInput() {
		if (this.next != null) {
			this.next.onEndOfInput();
			return;
		}
		if (this.decoder != null) {
			// A TCP health check without send-proxy connects and closes: counted, logged at DEBUG.
			refuse(ProxyHeaderRefusal.TRUNCATED, "input ended after " + this.decoder.bytesConsumed()
					+ " bytes of a PROXY protocol header");
			return;
		}
		this.connection.inputEnded();
	}

	@Override
	public void closeOutbound() {
		if (this.next != null) {
			this.next.closeOutbound();
		}
	}

	@Override
	public void onClose(boolean outputIdle) {
		if (this.next != null) {
			this.next.onClose(outputIdle);
		}
	}

	@Override
	public void checkTimeouts(long now) {
		if (this.next != null) {
			this.next.checkTimeouts(now);
		}
		else if (this.decoder != null && now - this.deadlineNanos >= 0) {
			refuse(ProxyHeaderRefusal.TIMEOUT, "no complete PROXY protocol header within "
					+ this.settings.headerTimeout().toMillis() + " ms (tcp.server.proxy-protocol.header-timeout)");
		}
	}

	@Override
	public SSLSession session() {
		return (this.next != null) ? this.next.session() : null;
	}

	@Override
	public boolean passesBytesThrough() {
		// Before the header nothing is written to the peer; after it, the next layer decides.
		return this.next != null && this.next.passesBytesThrough();
	}

	@Override
	public long plaintextBytesReceived() {
		return (this.next != null) ? this.next.plaintextBytesReceived() : -1;
	}

	@Override
	public long plaintextBytesSent() {
		return (this.next != null) ? this.next.plaintextBytesSent() : -1;
	}

}
