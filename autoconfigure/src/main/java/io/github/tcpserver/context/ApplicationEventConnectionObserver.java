package io.github.tcpserver.context;

import org.springframework.context.ApplicationEventPublisher;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionObserver;

/**
 * Adapts the server's {@link ConnectionObserver} hook to Spring: publishes
 * {@link TcpConnectionOpenedEvent} and {@link TcpConnectionClosedEvent} on the I/O loop thread.
 */
public class ApplicationEventConnectionObserver implements ConnectionObserver {

	private final ApplicationEventPublisher publisher;

	public ApplicationEventConnectionObserver(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void connectionOpened(Connection connection) {
		this.publisher.publishEvent(new TcpConnectionOpenedEvent(connection));
	}

	@Override
	public void connectionClosed(Connection connection) {
		this.publisher.publishEvent(new TcpConnectionClosedEvent(connection));
	}

}
