package io.github.tcpserver.actuate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import io.github.tcpserver.core.Listener;
import io.github.tcpserver.core.SelectorServer;

/**
 * Health of the TCP server ({@code tcpServer}): UP while it runs with every listener bound and
 * every I/O loop alive; DOWN, naming what failed, when one is not; OUT_OF_SERVICE before it has
 * started and once it is stopping, when it is deliberately not serving.
 */
public class TcpServerHealthIndicator implements HealthIndicator {

	private final SelectorServer server;

	public TcpServerHealthIndicator(SelectorServer server) {
		this.server = server;
	}

	@Override
	public Health health() {
		SelectorServer.State state = this.server.state();
		if (state != SelectorServer.State.RUNNING) {
			return Health.outOfService().withDetail("state", state.name()).build();
		}
		Map<String, Object> listeners = new LinkedHashMap<>();
		List<String> unbound = new ArrayList<>();
		for (Listener listener : this.server.listeners()) {
			listeners.put(listener.name(), listener.port());
			if (!listener.isBound()) {
				unbound.add(listener.name());
			}
		}
		List<String> deadLoops = this.server.deadLoops();
		Health.Builder builder = (unbound.isEmpty() && deadLoops.isEmpty()) ? Health.up() : Health.down();
		builder.withDetail("state", state.name())
			.withDetail("listeners", listeners)
			.withDetail("activeConnections", this.server.activeConnections());
		if (!unbound.isEmpty()) {
			builder.withDetail("unboundListeners", unbound);
		}
		if (!deadLoops.isEmpty()) {
			builder.withDetail("deadIoLoops", deadLoops);
		}
		return builder.build();
	}

}
