package io.github.tcpserver.context;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

import io.github.tcpserver.core.Listener;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ShutdownResult;

/**
 * Starts the {@link SelectorServer} once the context is refreshed and stops it when the context
 * closes: gracefully (stop accepting, drain queued output, close) within the shutdown timeout, or
 * at once in {@code immediate} mode. Also publishes the bound ports, as
 * {@link TcpServerInitializedEvent} and as {@code local.tcp.server.port*} properties.
 */
public class SelectorServerLifecycle implements SmartLifecycle {

	/** The property holding the port of the default listener. */
	public static final String LOCAL_PORT_PROPERTY = "local.tcp.server.port";

	/**
	 * Same phase as Spring Boot's web server start/stop: started late (after the beans it
	 * serves), stopped early (before them), so handlers still work while connections drain.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

	private static final Log logger = LogFactory.getLog(SelectorServerLifecycle.class);

	private final SelectorServer server;

	private final ApplicationEventPublisher publisher;

	private final ConfigurableEnvironment environment;

	private final Duration shutdownTimeout;

	private volatile boolean running;

	/**
	 * @param server the server to run
	 * @param publisher where {@link TcpServerInitializedEvent} goes
	 * @param environment where the {@code local.tcp.server.port*} properties go (may be null)
	 * @param shutdownTimeout how long a stop lets connections drain; zero for an immediate stop
	 */
	public SelectorServerLifecycle(SelectorServer server, ApplicationEventPublisher publisher,
			ConfigurableEnvironment environment, Duration shutdownTimeout) {
		this.server = server;
		this.publisher = publisher;
		this.environment = environment;
		this.shutdownTimeout = shutdownTimeout;
	}

	@Override
	public void start() {
		this.server.start();
		this.running = true;
		for (Listener listener : this.server.listeners()) {
			logger.info("TCP server listening: '" + listener.name() + "' on " + describe(listener) + " ("
					+ listener.handler().description()
					+ (listener.isProxyProtocol() ? ", " + listener.spec().proxyProtocol().description() : "")
					+ (listener.isTls() ? ", TLS with " + listener.spec().tls().description() : "") + ")");
		}
		logger.info("TCP server started with " + this.server.ioThreads() + " I/O thread(s)");
		publishPorts();
		this.publisher.publishEvent(new TcpServerInitializedEvent(this.server));
	}

	private static String describe(Listener listener) {
		var address = listener.boundAddress();
		String host = address.getAddress().isAnyLocalAddress() ? "*" : address.getAddress().getHostAddress();
		return host + ":" + address.getPort();
	}

	private void publishPorts() {
		if (this.environment == null || this.server.listeners().isEmpty()) {
			return;
		}
		Map<String, Object> ports = new LinkedHashMap<>();
		ports.put(LOCAL_PORT_PROPERTY, this.server.listeners().get(0).port());
		for (Listener listener : this.server.listeners()) {
			ports.put(LOCAL_PORT_PROPERTY + "." + listener.name(), listener.port());
		}
		MutablePropertySources sources = this.environment.getPropertySources();
		sources.remove("tcp.server.ports");
		sources.addFirst(new MapPropertySource("tcp.server.ports", ports));
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		// Closed before the log line below, which promises that nothing new is accepted.
		this.server.stopAccepting();
		int open = this.server.activeConnections();
		boolean immediate = this.shutdownTimeout.isZero();
		if (open > 0 && !immediate) {
			logger.info("TCP server stopping: no longer accepting; draining " + open + " connection(s), waiting up to "
					+ this.shutdownTimeout.toMillis() + " ms");
		}
		ShutdownResult result = this.server.stop(this.shutdownTimeout);
		if (this.environment != null) {
			this.environment.getPropertySources().remove("tcp.server.ports"); // nothing listens there any more
		}
		if (immediate) {
			logger.info("TCP server stopped immediately in " + result.took().toMillis() + " ms: " + result.forced()
					+ " connection(s) closed without draining (tcp.server.shutdown=immediate)");
		}
		else if (result.isClean()) {
			logger.info("TCP server stopped in " + result.took().toMillis() + " ms: " + result.drained()
					+ " connection(s) drained and closed");
		}
		else {
			logger.warn("TCP server stopped in " + result.took().toMillis() + " ms: " + result.drained()
					+ " connection(s) drained, " + result.forced()
					+ " closed forcibly with output still queued (shutdown timeout "
					+ this.shutdownTimeout.toMillis() + " ms)");
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
