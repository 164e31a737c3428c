package io.github.tcpserver.context;

import org.springframework.context.ApplicationEvent;

import io.github.tcpserver.core.SelectorServer;

/**
 * Published when the {@link SelectorServer} is listening on all its ports; the real ports are
 * then known ({@link SelectorServer#listeners()}).
 */
public class TcpServerInitializedEvent extends ApplicationEvent {

	public TcpServerInitializedEvent(SelectorServer server) {
		super(server);
	}

	public SelectorServer getSelectorServer() {
		return (SelectorServer) getSource();
	}

}
