package io.github.tcpserver.autoconfigure;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLEngine;

import org.springframework.boot.ssl.SslOptions;

import io.github.tcpserver.autoconfigure.TcpServerProperties.Ssl.ClientAuth;
import io.github.tcpserver.core.TlsEngineFactory;

/**
 * Makes the engines of one TLS listener from SSL bundles: the bundle mapped to the server name
 * the client asked for (SNI), else the listener's bundle; client authentication and the bundle's
 * options (protocols, cipher suites) applied.
 */
final class SslBundleEngineFactory implements TlsEngineFactory {

	private final SslBundleContexts contexts;

	private final String bundle;

	/** Lower-case server name (or {@code *.domain}) to bundle name. */
	private final Map<String, String> serverNameBundles;

	private final ClientAuth clientAuth;

	SslBundleEngineFactory(SslBundleContexts contexts, String bundle, Map<String, String> serverNameBundles,
			ClientAuth clientAuth) {
		this.contexts = contexts;
		this.bundle = bundle;
		this.serverNameBundles = Map.copyOf(serverNameBundles);
		this.clientAuth = clientAuth;
	}

	@Override
	public SSLEngine createEngine(String serverName, InetSocketAddress peer) {
		SslBundleContexts.Current current = this.contexts.current(bundleFor(serverName));
		// The peer's address as a literal (no reverse lookup on the loop): a hint for session caching only.
		SSLEngine engine = current.context().createSSLEngine(peer.getHostString(), peer.getPort());
		engine.setUseClientMode(false);
		// setNeedClientAuth and setWantClientAuth each reset the other: set exactly one.
		if (this.clientAuth == ClientAuth.NEED) {
			engine.setNeedClientAuth(true);
		}
		else if (this.clientAuth == ClientAuth.WANT) {
			engine.setWantClientAuth(true);
		}
		SslOptions options = current.bundle().getOptions();
		if (options.getCiphers() != null) {
			engine.setEnabledCipherSuites(options.getCiphers());
		}
		if (options.getEnabledProtocols() != null) {
			engine.setEnabledProtocols(options.getEnabledProtocols());
		}
		return engine;
	}

	/** The bundle for an SNI name: an exact mapping, else {@code *.parent}, else the listener's own. */
	String bundleFor(String serverName) {
		if (serverName == null || this.serverNameBundles.isEmpty()) {
			return this.bundle;
		}
		String name = serverName.toLowerCase(Locale.ROOT);
		String mapped = this.serverNameBundles.get(name);
		if (mapped == null) {
			int dot = name.indexOf('.');
			if (dot > 0) {
				mapped = this.serverNameBundles.get("*" + name.substring(dot));
			}
		}
		return (mapped != null) ? mapped : this.bundle;
	}

}
