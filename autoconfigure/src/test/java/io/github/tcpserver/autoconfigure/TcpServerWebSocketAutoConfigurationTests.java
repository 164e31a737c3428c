package io.github.tcpserver.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.github.tcpserver.protocol.websocket.WebSocketLimits;

import static org.assertj.core.api.Assertions.assertThat;

class TcpServerWebSocketAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerWebSocketAutoConfiguration.class));

	@Test
	void whenNothingIsSetThenTheLimitsAreTheDefaults() {
		this.runner.run((context) -> assertThat(context.getBean(WebSocketLimits.class))
			.isEqualTo(WebSocketLimits.defaults()));
	}

	@Test
	void whenTheServerIsDisabledThenThereAreNoLimits() {
		this.runner.withPropertyValues("tcp.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WebSocketLimits.class));
	}

	@Test
	void whenPropertiesAreSetThenTheLimitsFollowThem() {
		this.runner
			.withPropertyValues("tcp.server.websocket.max-frame-size=8KB", "tcp.server.websocket.max-message-size=1MB",
					"tcp.server.websocket.idle-timeout=2m", "tcp.server.websocket.ping-interval=0",
					"tcp.server.websocket.close-timeout=1s", "tcp.server.websocket.allowed-origins=https://a.example,*",
					"tcp.server.websocket.permessage-deflate=true")
			.run((context) -> assertThat(context.getBean(WebSocketLimits.class)).isEqualTo(new WebSocketLimits(8192,
					1024 * 1024, Duration.ofMinutes(2), Duration.ZERO, Duration.ofSeconds(1),
					List.of("https://a.example", "*"), true)));
	}

	@Test
	void whenAFrameSizeIsZeroThenTheContextFailsToStart() {
		this.runner.withPropertyValues("tcp.server.websocket.max-frame-size=0")
			.run((context) -> assertThat(context).hasFailed());
	}

}
