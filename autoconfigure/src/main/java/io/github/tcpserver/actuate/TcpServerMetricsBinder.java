package io.github.tcpserver.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationListener;

import io.github.tcpserver.context.TcpServerInitializedEvent;
import io.github.tcpserver.core.Listener;
import io.github.tcpserver.core.ProxyProtocolStats;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.TlsStats;
import io.github.tcpserver.core.proxy.ProxyHeaderRefusal;
import io.github.tcpserver.protocol.http.HttpServerHandler;
import io.github.tcpserver.protocol.websocket.WebSocketUpgradeHandler;

/**
 * Registers the TCP server's meters, tagged with {@code listener} and {@code port}, once the server
 * is listening (the real ports are known only then), and removes them when the context closes.
 * Every meter reads counters the server keeps anyway, so metrics add nothing to the I/O path.
 */
public class TcpServerMetricsBinder implements ApplicationListener<TcpServerInitializedEvent>, DisposableBean {

	private final MeterRegistry registry;

	/** The meters registered for each server, removed when it starts again or this binder ends. */
	private final java.util.Map<SelectorServer, List<Meter>> bound = new java.util.IdentityHashMap<>();

	/** The listeners each server's meters read: a restarted server has new ones. */
	private final java.util.Map<SelectorServer, List<Listener>> boundListeners = new java.util.IdentityHashMap<>();

	/** Where the meters being registered go; set while {@link #bindTo} runs. */
	private List<Meter> meters;

	public TcpServerMetricsBinder(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void onApplicationEvent(TcpServerInitializedEvent event) {
		bindTo(event.getSelectorServer());
	}

	/**
	 * Registers the meters of every listener of {@code server}.
	 * @param server a started server
	 */
	public synchronized void bindTo(SelectorServer server) {
		List<Listener> listeners = server.listeners();
		if (this.boundListeners.get(server) == listeners) {
			return; // the same event seen twice (a child context, say): the meters exist already
		}
		// Started again after a stop (a paused test context resumed, say): its listeners are new
		// objects, perhaps on new ports, so the meters that read the old ones go.
		unbind(server);
		this.meters = new ArrayList<>();
		this.bound.put(server, this.meters);
		for (Listener listener : listeners) {
			Tags tags = Tags.of("listener", listener.name(), "port", Integer.toString(listener.port()));
			gauge("tcp.server.connections.active", "Connections open now", BaseUnits.CONNECTIONS, tags, listener,
					Listener::activeConnections);
			counter("tcp.server.connections.accepted", "Connections accepted", BaseUnits.CONNECTIONS, tags, listener,
					Listener::acceptedConnections);
			counter("tcp.server.connections.closed", "Connections closed, for any reason", BaseUnits.CONNECTIONS, tags,
					listener, Listener::closedConnections);
			counter("tcp.server.connections.rejected", "Connections refused at tcp.server.max-connections",
					BaseUnits.CONNECTIONS, tags, listener, Listener::rejectedConnections);
			counter("tcp.server.errors", "Connections closed because their handler threw", "errors", tags,
					listener, Listener::errors);
			counter("tcp.server.protocol.errors", "Protocol errors reported by the handler", "errors", tags,
					listener, Listener::protocolErrors);
			counter("tcp.server.output.overflows", "Connections closed because their queued output passed "
					+ "tcp.server.max-queued-output", BaseUnits.CONNECTIONS, tags, listener, Listener::outputOverflows);
			counter("tcp.server.timeouts", "Connections closed by a read-idle or write-idle timeout",
					BaseUnits.CONNECTIONS, tags, listener, Listener::timeouts);
			counter("tcp.server.bytes.received", "Bytes received", BaseUnits.BYTES, tags, listener,
					(l) -> server.bytesReceived(l));
			counter("tcp.server.bytes.sent", "Bytes the sockets took for the peers", BaseUnits.BYTES, tags, listener,
					(l) -> server.bytesSent(l));
			TlsStats tls = listener.tlsStats();
			if (tls != null) {
				tlsHandshakes(tags, tls);
			}
			ProxyProtocolStats proxy = listener.proxyProtocolStats();
			if (proxy != null) {
				proxyHeaders(tags, proxy);
			}
			if (listener.handler() instanceof HttpServerHandler http
					&& http.upgrades() instanceof WebSocketUpgradeHandler webSockets) {
				bindWebSocket(webSockets, tags, listener);
			}
			gauge("tcp.server.outbound.queued", "Output queued on open connections, not yet taken by their sockets",
					BaseUnits.BYTES, tags, listener, (l) -> server.pendingOutboundBytes(l));
		}
		this.meters.add(FunctionCounter.builder("tcp.server.io.blocked", server, SelectorServer::blockedLoopEvents)
			.description("Times an I/O thread was held by one handler call past tcp.server.blocked-thread-warning")
			.baseUnit("events")
			.register(this.registry));
		this.boundListeners.put(server, listeners); // last: a failure above leaves it to be bound again
	}

	/** TLS handshakes by outcome, and the time of the completed ones (accept to handshake end). */
	private void tlsHandshakes(Tags tags, TlsStats tls) {
		String description = "TLS handshakes by outcome (failed includes timed-out)";
		this.meters.add(FunctionCounter.builder("tcp.server.tls.handshakes", tls, TlsStats::handshakesCompleted)
			.description(description)
			.tags(tags.and("outcome", "completed"))
			.register(this.registry));
		this.meters.add(FunctionCounter.builder("tcp.server.tls.handshakes", tls, TlsStats::handshakesFailed)
			.description(description)
			.tags(tags.and("outcome", "failed"))
			.register(this.registry));
		this.meters.add(FunctionCounter.builder("tcp.server.tls.handshakes", tls, TlsStats::handshakesTimedOut)
			.description(description)
			.tags(tags.and("outcome", "timed-out"))
			.register(this.registry));
		this.meters.add(FunctionTimer
			.builder("tcp.server.tls.handshake.duration", tls, TlsStats::handshakesCompleted, TlsStats::handshakeNanos,
					TimeUnit.NANOSECONDS)
			.description("Time from accept to the end of each completed TLS handshake")
			.tags(tags)
			.register(this.registry));
	}

	/** PROXY protocol headers accepted by version, and refused by reason. */
	private void proxyHeaders(Tags tags, ProxyProtocolStats proxy) {
		String description = "PROXY protocol headers by outcome: accepted (by version) or refused (by reason)";
		for (int version = 1; version <= 2; version++) {
			int v = version;
			this.meters.add(FunctionCounter.builder("tcp.server.proxy.headers", proxy, (p) -> p.headersAccepted(v))
				.description(description)
				.tags(tags.and("outcome", "accepted").and("reason", "v" + v))
				.register(this.registry));
		}
		for (ProxyHeaderRefusal reason : ProxyHeaderRefusal.values()) {
			this.meters.add(FunctionCounter.builder("tcp.server.proxy.headers", proxy, (p) -> p.headersRefused(reason))
				.description(description)
				.tags(tags.and("outcome", "refused").and("reason", reason.tag()))
				.register(this.registry));
		}
	}

	private void bindWebSocket(WebSocketUpgradeHandler webSockets, Tags tags, Listener listener) {
		gauge("tcp.server.websocket.sessions", "WebSocket sessions open now", BaseUnits.SESSIONS, tags, listener,
				(l) -> webSockets.sessionCount());
		counter("tcp.server.websocket.messages", "WebSocket messages received", "messages", tags.and("direction", "in"),
				listener, (l) -> webSockets.messagesIn());
		counter("tcp.server.websocket.messages", "WebSocket messages sent", "messages", tags.and("direction", "out"),
				listener, (l) -> webSockets.messagesOut());
		counter("tcp.server.websocket.handshakes.refused", "WebSocket handshakes answered 400, 403, 405 or 426",
				"handshakes", tags, listener, (l) -> webSockets.handshakesRefused());
	}

	private void counter(String name, String description, String unit, Tags tags, Listener listener,
			ToLongFunction<Listener> value) {
		this.meters.add(FunctionCounter.builder(name, listener, (l) -> value.applyAsLong(l))
			.description(description)
			.baseUnit(unit)
			.tags(tags)
			.register(this.registry));
	}

	private void gauge(String name, String description, String unit, Tags tags, Listener listener,
			ToDoubleFunction<Listener> value) {
		this.meters.add(
				Gauge.builder(name, listener, value).description(description).baseUnit(unit).tags(tags).register(this.registry));
	}

	private void unbind(SelectorServer server) {
		List<Meter> old = this.bound.remove(server);
		if (old != null) {
			for (Meter meter : old) {
				this.registry.remove(meter);
			}
		}
		this.boundListeners.remove(server);
	}

	@Override
	public synchronized void destroy() {
		for (SelectorServer server : List.copyOf(this.bound.keySet())) {
			unbind(server);
		}
	}

}
