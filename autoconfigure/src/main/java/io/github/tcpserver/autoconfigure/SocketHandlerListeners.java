package io.github.tcpserver.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

import io.github.tcpserver.blocking.OffloadedCallObserver;
import io.github.tcpserver.autoconfigure.TcpServerProperties.Ssl.ClientAuth;
import io.github.tcpserver.blocking.OffloadingHandler;
import io.github.tcpserver.blocking.StreamHandler;
import io.github.tcpserver.blocking.StreamHandlerAdapter;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.core.TlsHandshakeThreads;
import io.github.tcpserver.core.TlsSettings;
import io.github.tcpserver.core.proxy.ProxyProtocolMode;

/**
 * Turns the application's {@link SocketHandler @SocketHandler} beans into listener specs: one per
 * bean, named after it, on the port of its annotation or {@code tcp.server.port}, with blocking
 * handlers adapted to run on their executor. Listeners on the
 * default port come first, so the first listener is the one {@code local.tcp.server.port} names.
 */
final class SocketHandlerListeners {

	private SocketHandlerListeners() {
	}

	static List<ListenerSpec> resolve(ListableBeanFactory beanFactory, Environment environment,
			TcpServerProperties properties) {
		return resolve(beanFactory, environment, properties, null);
	}

	/**
	 * @param sslBundles Boot's SSL bundles, or {@code null} when SSL auto-configuration is off
	 */
	static List<ListenerSpec> resolve(ListableBeanFactory beanFactory, Environment environment,
			TcpServerProperties properties, SslBundles sslBundles) {
		SslBundleContexts contexts = (sslBundles != null) ? new SslBundleContexts(sslBundles) : null;
		String[] names = beanFactory.getBeanNamesForAnnotation(SocketHandler.class);
		if (names.length == 0) {
			throw new SocketHandlerConfigurationException("The TCP server has no @SocketHandler bean to serve.",
					"Define a bean that implements io.github.tcpserver.core.ConnectionHandler and annotate it (or its"
							+ " @Bean method) with @SocketHandler, or disable the server with tcp.server.enabled=false.");
		}
		Arrays.sort(names);
		List<Resolved> resolved = new ArrayList<>();
		for (String name : names) {
			SocketHandler annotation = beanFactory.findAnnotationOnBean(name, SocketHandler.class);
			Object bean = beanFactory.getBean(name);
			ConnectionHandler handler = handler(name, bean, annotation, beanFactory, environment, properties);
			boolean ownPort = StringUtils.hasText(annotation.port());
			int port = ownPort ? port(name, environment.resolveRequiredPlaceholders(annotation.port()))
					: properties.getPort();
			InetAddress address = StringUtils.hasText(annotation.address())
					? address(name, environment.resolveRequiredPlaceholders(annotation.address()))
					: properties.getAddress();
			ListenerSpec spec = new ListenerSpec(name, address, port, handler);
			String sslBundle = sslBundle(annotation, environment, properties);
			if (sslBundle != null) {
				spec = spec.withTls(tls(name, sslBundle, clientAuth(name, annotation, environment, properties),
						properties.getSsl(), contexts, beanFactory));
			}
			spec = spec.withProxyProtocol(
					properties.getProxyProtocol().toSettings(proxyProtocolMode(name, annotation, environment, properties)));
			if (spec.proxyProtocol() != null && spec.proxyProtocol().trustedProxies().isEmpty()) {
				// Anyone who reaches the port directly could claim any client address (and a
				// verified client certificate in the SSL TLV): say so, once, at start-up.
				logger.warn("Listener '" + name + "' accepts PROXY protocol headers from any source: set "
						+ "tcp.server.proxy-protocol.trusted-proxies to the balancers' addresses unless only "
						+ "they can reach its port");
			}
			resolved.add(new Resolved(spec, ownPort));
		}
		checkConflicts(resolved);
		resolved.sort(Comparator.comparing(Resolved::ownPort));
		return resolved.stream().map(Resolved::spec).toList();
	}

	private static ProxyProtocolMode proxyProtocolMode(String name, SocketHandler annotation, Environment environment,
			TcpServerProperties properties) {
		String own = environment.resolveRequiredPlaceholders(annotation.proxyProtocol()).trim();
		if (own.isEmpty()) {
			return properties.getProxyProtocol().getMode();
		}
		try {
			return ProxyProtocolMode.valueOf(own.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new SocketHandlerConfigurationException(
					"The proxyProtocol of @SocketHandler bean '" + name + "' is '" + own + "'.",
					"Set the proxyProtocol attribute of '" + name + "' to off, v1, v2 or any.");
		}
	}

	/** @return the listener's bundle name, or {@code null} for plain TCP */
	private static String sslBundle(SocketHandler annotation, Environment environment, TcpServerProperties properties) {
		String own = environment.resolveRequiredPlaceholders(annotation.sslBundle()).trim();
		if (own.equals(SocketHandler.NO_SSL)) {
			return null;
		}
		if (!own.isEmpty()) {
			return own;
		}
		String shared = properties.getSsl().getBundle();
		return StringUtils.hasText(shared) ? shared.trim() : null;
	}

	/** TLS of a listener from its bundle and {@code tcp.server.ssl.*}; every bundle named must exist. */
	private static ClientAuth clientAuth(String name, SocketHandler annotation, Environment environment,
			TcpServerProperties properties) {
		String own = environment.resolveRequiredPlaceholders(annotation.sslClientAuth()).trim();
		if (own.isEmpty()) {
			return properties.getSsl().getClientAuth();
		}
		try {
			return ClientAuth.valueOf(own.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new SocketHandlerConfigurationException(
					"The sslClientAuth of @SocketHandler bean '" + name + "' is '" + own + "'.",
					"Set the sslClientAuth attribute of '" + name + "' to none, want or need.");
		}
	}

	private static TlsSettings tls(String name, String bundle, ClientAuth clientAuth, TcpServerProperties.Ssl ssl,
			SslBundleContexts contexts, ListableBeanFactory beanFactory) {
		if (contexts == null) {
			throw new SocketHandlerConfigurationException(
					"Listener '" + name + "' uses SSL bundle '" + bundle + "', but the application has no SslBundles bean.",
					"Let Spring Boot's SSL auto-configuration run (spring.ssl.bundle.* needs it), or remove the bundle"
							+ " from tcp.server.ssl.bundle and @SocketHandler(sslBundle).");
		}
		contexts.load(bundle, "listener '" + name + "'");
		Map<String, String> serverNames = new LinkedHashMap<>();
		for (TcpServerProperties.Ssl.ServerNameSslBundle mapping : ssl.getServerNameBundles()) {
			if (!StringUtils.hasText(mapping.serverName()) || !StringUtils.hasText(mapping.bundle())) {
				throw new SocketHandlerConfigurationException(
						"An entry of tcp.server.ssl.server-name-bundles lacks a server-name or a bundle: " + mapping + ".",
						"Give every entry of tcp.server.ssl.server-name-bundles both a server-name and a bundle.");
			}
			contexts.load(mapping.bundle(), "server name '" + mapping.serverName() + "'");
			serverNames.put(mapping.serverName().trim().toLowerCase(Locale.ROOT), mapping.bundle());
		}
		String description = "bundle '" + bundle + "'"
				+ ((clientAuth != ClientAuth.NONE) ? ", client auth " + clientAuth.name().toLowerCase(Locale.ROOT) : "")
				+ (serverNames.isEmpty() ? "" : ", SNI " + serverNames);
		Executor handshakeExecutor = handshakeExecutor(name, ssl.getHandshakeExecutor(), beanFactory);
		return new TlsSettings(new SslBundleEngineFactory(contexts, bundle, serverNames, clientAuth),
				ssl.getHandshakeTimeout(), description, handshakeExecutor);
	}

	/**
	 * {@code null} means the I/O threads. Unset: the shared handshake threads (a burst of handshakes uses every core and delays no
	 * loop); {@value TcpServerProperties.Ssl#ON_IO_THREADS}: on the I/O threads, as Netty does;
	 * else the named bean.
	 */
	private static Executor handshakeExecutor(String name, String executorName,
			ListableBeanFactory beanFactory) {
		if (!StringUtils.hasText(executorName)) {
			return TlsHandshakeThreads.shared();
		}
		if (TcpServerProperties.Ssl.ON_IO_THREADS.equals(executorName.trim())) {
			return null;
		}
		return executor(name, executorName.trim(), beanFactory);
	}

	/**
	 * The bean as the server runs it: on the I/O threads as it is, or, when it may block, adapted
	 * to run on its executor.
	 */
	private static ConnectionHandler handler(String name, Object bean, SocketHandler annotation,
			ListableBeanFactory beanFactory, Environment environment, TcpServerProperties properties) {
		long maxPendingInput = properties.getBlocking().getMaxPendingInput().toBytes();
		String executorName = environment.resolveRequiredPlaceholders(annotation.executor());
		if (bean instanceof HttpServerHandler http && http.getExchangeObserver() == HttpExchangeObserver.NONE) {
			// Per-request observations (TcpServerObservationAutoConfiguration), unless the application set its own.
			beanFactory.getBeanProvider(HttpExchangeObserver.class).ifUnique(http::setExchangeObserver);
		}
		if (bean instanceof ConnectionHandler handler) {
			if (!annotation.blocking() && !StringUtils.hasText(executorName)) {
				return handler;
			}
			if (bean instanceof HttpServerHandler http) {
				// Only the application's handler may block: parsing and the connection's state stay
				// on the I/O thread, where they are owned (offloading the whole protocol raced it).
				http.setHandlerExecutor(executor(name, executorName, beanFactory));
				return http;
			}
			return new OffloadingHandler(handler, executor(name, executorName, beanFactory), maxPendingInput,
					beanFactory.getBeanProvider(OffloadedCallObserver.class).getIfUnique(() -> OffloadedCallObserver.NONE));
		}
		if (bean instanceof StreamHandler handler) {
			Executor executor = executor(name, executorName, beanFactory);
			warnIfPooled(name, executor);
			return new StreamHandlerAdapter(handler, executor, maxPendingInput);
		}
		throw new SocketHandlerConfigurationException(
				"@SocketHandler bean '" + name + "' of type " + bean.getClass().getName()
						+ " does not implement io.github.tcpserver.core.ConnectionHandler"
						+ " or io.github.tcpserver.blocking.StreamHandler.",
				"Implement ConnectionHandler (or StreamHandler) in '" + name + "', or remove @SocketHandler from it.");
	}

	/**
	 * The executor named by the annotation, else Boot's application task executor, else the
	 * application's only {@link Executor}.
	 */
	private static Executor executor(String handlerName, String executorName, ListableBeanFactory beanFactory) {
		if (StringUtils.hasText(executorName)) {
			if (!beanFactory.containsBean(executorName)) {
				throw new SocketHandlerConfigurationException(
						"@SocketHandler bean '" + handlerName + "' runs on executor '" + executorName
								+ "', but there is no bean of that name.",
						"Define an Executor (or TaskExecutor) bean named '" + executorName
								+ "', or name an existing one in the executor attribute of '" + handlerName + "'.");
			}
			Object executor = beanFactory.getBean(executorName);
			if (executor instanceof Executor found) {
				return found;
			}
			throw new SocketHandlerConfigurationException(
					"@SocketHandler bean '" + handlerName + "' runs on executor '" + executorName + "', but that bean is a "
							+ executor.getClass().getName() + ", not a java.util.concurrent.Executor.",
					"Name an Executor (or TaskExecutor) bean in the executor attribute of '" + handlerName + "'.");
		}
		if (beanFactory.containsBean(TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME)) {
			Object executor = beanFactory.getBean(TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME);
			if (executor instanceof Executor found) {
				return found;
			}
		}
		Map<String, Executor> executors = beanFactory.getBeansOfType(Executor.class);
		if (executors.size() == 1) {
			return executors.values().iterator().next();
		}
		throw new SocketHandlerConfigurationException(
				"@SocketHandler bean '" + handlerName + "' runs off the I/O threads, but there is "
						+ ((executors.isEmpty()) ? "no Executor bean" : "more than one Executor bean " + executors.keySet())
						+ " and no '" + TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME + "' to run it on.",
				"Name an Executor bean in the executor attribute of '" + handlerName
						+ "', or let Spring Boot's task execution auto-configuration define '"
						+ TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME + "'.");
	}

	/**
	 * A stream handler holds its thread for the connection's whole life: on a bounded pool (Boot's
	 * default on Java 17: 8 threads, unbounded queue) connection number max+1 waits, silently,
	 * until another one ends. Say so at start-up rather than let it surprise in production.
	 */
	private static void warnIfPooled(String name, Executor executor) {
		if (executor instanceof org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor pool
				&& pool.getMaxPoolSize() < Integer.MAX_VALUE) {
			logger.warn("StreamHandler '" + name + "' runs on a pool of at most " + pool.getMaxPoolSize()
					+ " threads, and each connection holds one for its whole life: connection "
					+ (pool.getMaxPoolSize() + 1) + " will wait until another ends. Use virtual threads"
					+ " (spring.threads.virtual.enabled=true on Java 21+) or an executor with a thread per"
					+ " expected connection (@SocketHandler(executor = ...)).");
		}
	}

	private static final org.apache.commons.logging.Log logger = org.apache.commons.logging.LogFactory
		.getLog(SocketHandlerListeners.class);

	private static int port(String name, String value) {
		try {
			int port = Integer.parseInt(value.trim());
			if (port >= 0 && port <= 65535) {
				return port;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new SocketHandlerConfigurationException(
				"The port of @SocketHandler bean '" + name + "' is '" + value + "', not a port number (0 to 65535).",
				"Set the port attribute of '" + name + "' (or the property it refers to) to a number from 0 to 65535.");
	}

	private static InetAddress address(String name, String value) {
		try {
			return InetAddress.getByName(value.trim());
		}
		catch (UnknownHostException ex) {
			throw new SocketHandlerConfigurationException(
					"The address of @SocketHandler bean '" + name + "' is '" + value + "', which does not resolve.",
					"Set the address attribute of '" + name + "' to a local IP address or host name.");
		}
	}

	private static void checkConflicts(List<Resolved> resolved) {
		for (int i = 0; i < resolved.size(); i++) {
			for (int j = i + 1; j < resolved.size(); j++) {
				ListenerSpec a = resolved.get(i).spec();
				ListenerSpec b = resolved.get(j).spec();
				if (a.port() != 0 && a.port() == b.port() && overlap(a.address(), b.address())) {
					throw new SocketHandlerConfigurationException(
							"@SocketHandler beans '" + a.name() + "' and '" + b.name() + "' both listen on port "
									+ a.port() + ".",
							"Give each handler its own port: set the port attribute of @SocketHandler on all but one"
									+ " of them (a handler without one uses tcp.server.port).");
				}
			}
		}
	}

	private static boolean overlap(InetAddress a, InetAddress b) {
		return a == null || b == null || a.isAnyLocalAddress() || b.isAnyLocalAddress() || a.equals(b);
	}

	private record Resolved(ListenerSpec spec, boolean ownPort) {
	}

}
