package io.github.tcpserver.core;

import java.net.InetSocketAddress;

import javax.net.ssl.SSLEngine;

/**
 * Makes the server-side {@link SSLEngine} of each TLS connection, once the first record of its
 * ClientHello has arrived, so that the certificate can be chosen by the name the client asked
 * for (SNI). Called on the I/O loop thread: it must not block (cache the {@code SSLContext}).
 */
@FunctionalInterface
public interface TlsEngineFactory {

	/**
	 * @param serverName the host name of the client's server_name extension (RFC 6066 §3), or
	 * {@code null} when it sent none
	 * @param peer the client's address
	 * @return a new engine in server mode, client authentication and options set
	 */
	SSLEngine createEngine(String serverName, InetSocketAddress peer);

}
