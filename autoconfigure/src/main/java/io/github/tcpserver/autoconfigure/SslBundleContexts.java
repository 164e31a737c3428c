package io.github.tcpserver.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * The {@link SSLContext} of each SSL bundle the listeners use, built once per bundle version
 * ({@code SslBundle.createSslContext()} builds a new one per call, and a context per handshake
 * would also lose session resumption). A bundle with {@code reload-on-update} replaces its entry
 * when its files change: new handshakes get the new certificate, open connections keep theirs; a
 * reload that fails keeps the previous context and says so in the log.
 */
final class SslBundleContexts {

	private static final Log logger = LogFactory.getLog(SslBundleContexts.class);

	private final SslBundles bundles;

	private final ConcurrentHashMap<String, Current> contexts = new ConcurrentHashMap<>();

	SslBundleContexts(SslBundles bundles) {
		this.bundles = bundles;
	}

	/** A bundle and the context built from it. */
	record Current(SslBundle bundle, SSLContext context) {
	}

	/**
	 * Loads a bundle (at start-up) and watches it for updates.
	 * @param name the bundle's name
	 * @param user who asks, for the failure message ("listener 'echo'")
	 * @throws SocketHandlerConfigurationException naming the bundle if there is none of that name
	 * or its context cannot be built
	 */
	void load(String name, String user) {
		if (this.contexts.containsKey(name)) {
			return;
		}
		SslBundle bundle;
		try {
			bundle = this.bundles.getBundle(name);
			this.bundles.addBundleUpdateHandler(name, (updated) -> reload(name, updated));
		}
		catch (NoSuchSslBundleException ex) {
			List<String> known = new ArrayList<>(this.bundles.getBundleNames());
			throw new SocketHandlerConfigurationException(
					"The TCP server's " + user + " uses SSL bundle '" + name + "', but there is no SSL bundle of that name"
							+ (known.isEmpty() ? "." : " (there are " + known + ")."),
					"Define the bundle under spring.ssl.bundle.pem." + name + " (or spring.ssl.bundle.jks." + name
							+ "), or name an existing bundle in tcp.server.ssl.bundle or @SocketHandler(sslBundle).");
		}
		try {
			this.contexts.put(name, new Current(bundle, bundle.createSslContext()));
		}
		catch (RuntimeException ex) {
			throw new SocketHandlerConfigurationException("The TCP server's " + user + " uses SSL bundle '" + name
					+ "', whose SSL context cannot be built: " + ex.getMessage(),
					"Check the key, certificates and options of spring.ssl.bundle.*." + name + ".");
		}
	}

	/**
	 * @param name a bundle {@link #load loaded} before
	 * @return its current context; any thread, once per handshake
	 */
	Current current(String name) {
		return this.contexts.get(name);
	}

	/** Runs on Boot's file-watcher thread when a bundle's files changed. */
	private void reload(String name, SslBundle updated) {
		try {
			this.contexts.put(name, new Current(updated, updated.createSslContext()));
			logger.info("SSL bundle '" + name + "' reloaded: new TLS handshakes of the TCP server use it;"
					+ " open connections keep their certificate");
		}
		catch (RuntimeException ex) {
			logger.error("SSL bundle '" + name + "' changed but cannot be used (" + ex.getMessage()
					+ "); the TCP server keeps the previous certificate for new handshakes", ex);
		}
	}

}
