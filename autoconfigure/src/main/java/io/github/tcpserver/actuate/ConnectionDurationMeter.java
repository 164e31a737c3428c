package io.github.tcpserver.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.github.tcpserver.core.CloseReason;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionObserver;

/**
 * Records how long each connection was open, at its close, in the timer {@value #NAME} tagged by
 * {@code listener}, {@code port} and {@code reason} (how it ended: {@code normal}, {@code reset},
 * {@code timeout}, {@code overflow}, {@code error}, {@code shutdown}). Once per connection, on its
 * I/O thread; the timers of a listener are looked up once and kept.
 */
public class ConnectionDurationMeter implements ConnectionObserver {

	/** The timer's name. */
	public static final String NAME = "tcp.server.connections.duration";

	private final MeterRegistry registry;

	private final Map<String, Map<CloseReason, Timer>> timers = new ConcurrentHashMap<>();

	public ConnectionDurationMeter(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void connectionClosed(Connection connection, CloseReason reason) {
		Timer timer = this.timers.computeIfAbsent(connection.listenerName(), (name) -> timers(connection))
			.get((reason != null) ? reason : CloseReason.NORMAL);
		timer.record(Duration.between(connection.openedAt(), Instant.now()));
	}

	/** Registered up front, so that every reason has a series from the start (zero until it occurs). */
	private Map<CloseReason, Timer> timers(Connection connection) {
		Map<CloseReason, Timer> byReason = new EnumMap<>(CloseReason.class);
		for (CloseReason reason : CloseReason.values()) {
			byReason.put(reason, Timer.builder(NAME)
				.description("How long connections were open, recorded at their close, by how they ended")
				.tag("listener", connection.listenerName())
				.tag("port", Integer.toString(connection.localAddress().getPort()))
				.tag("reason", reason.name().toLowerCase(Locale.ROOT))
				.register(this.registry));
		}
		return byReason;
	}

}
