package io.github.tcpserver.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.context.ApplicationEventConnectionObserver;

/**
 * Publishes connection opened/closed events to the application context when
 * {@code tcp.server.events.enabled=true}. Off by default: every event is dispatched on an I/O
 * thread, which costs throughput when connections churn.
 */
@AutoConfiguration(before = TcpServerAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "tcp.server.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("tcp.server.events.enabled")
public final class TcpServerEventsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ApplicationEventConnectionObserver applicationEventConnectionObserver(ApplicationEventPublisher publisher) {
		return new ApplicationEventConnectionObserver(publisher);
	}

}
