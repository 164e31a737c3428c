package io.github.tcpserver.test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;

/**
 * Servers started by a test, on loopback port 0, and stopped after it ({@link #stopAll()} from an
 * {@code @AfterEach}), so that no test leaks threads or ports into the next.
 */
public final class TestServers {

	private final List<SelectorServer> started = new ArrayList<>();

	/**
	 * Starts a server with one listener named {@code test} on 127.0.0.1, port 0.
	 * @param config the server's settings
	 * @param handler the listener's handler
	 * @return the running server
	 */
	public SelectorServer start(ServerConfig config, ConnectionHandler handler) {
		return start(new SelectorServer(config,
				List.of(new ListenerSpec("test", InetAddress.getLoopbackAddress(), 0, handler))));
	}

	/**
	 * Starts a server built by the test and stops it with the others.
	 * @param server a new server
	 * @return the running server
	 */
	public SelectorServer start(SelectorServer server) {
		this.started.add(server);
		server.start();
		return server;
	}

	/** Stops every server started here, at once. */
	public void stopAll() {
		this.started.forEach((server) -> server.stop(Duration.ZERO));
		this.started.clear();
	}

}
