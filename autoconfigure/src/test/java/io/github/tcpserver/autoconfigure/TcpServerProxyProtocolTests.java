package io.github.tcpserver.autoconfigure;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.Listener;
import io.github.tcpserver.core.ProxyProtocolSettings;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.proxy.ProxyProtocolMode;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tcp.server.proxy-protocol.*} and {@code @SocketHandler(proxyProtocol)}: bound, checked at
 * start-up, applied per listener, counted in meters.
 */
class TcpServerProxyProtocolTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class))
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1");

	@Test
	void proxyProtocolIsOffByDefault() {
		this.runner.withUserConfiguration(TwoListeners.class).run((context) -> {
			for (Listener listener : context.getBean(SelectorServer.class).listeners()) {
				assertThat(listener.isProxyProtocol()).isFalse();
			}
		});
	}

	@Test
	void propertiesApplyToEveryListenerUnlessItsAnnotationSaysOtherwise() {
		this.runner.withUserConfiguration(TwoListeners.class)
			.withPropertyValues("tcp.server.proxy-protocol.mode=any",
					"tcp.server.proxy-protocol.trusted-proxies=10.0.0.0/8,127.0.0.1", "tcp.server.proxy-protocol.header-timeout=4s",
					"tcp.server.proxy-protocol.max-header-length=512B", "direct.proxy=off")
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				ProxyProtocolSettings settings = server.listener("echo").orElseThrow().spec().proxyProtocol();
				assertThat(settings.mode()).isEqualTo(ProxyProtocolMode.ANY);
				assertThat(settings.trustedProxies()).hasToString("[10.0.0.0/8, 127.0.0.1]");
				assertThat(settings.headerTimeout()).isEqualTo(Duration.ofSeconds(4));
				assertThat(settings.maxHeaderLength()).isEqualTo(512);
				assertThat(server.listener("direct").orElseThrow().isProxyProtocol()).isFalse();
				// The direct listener serves a client without a header; the other one refuses it.
				try (Socket socket = TestSockets.connect(server.port("direct"))) {
					socket.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
					assertThat(TestSockets.readFully(socket.getInputStream(), 2)).asString().isEqualTo("hi");
				}
				try (Socket socket = TestSockets.connect(server.port("echo"))) {
					socket.setSoTimeout(10_000);
					socket.getOutputStream().write("PROXY TCP4 192.0.2.1 192.0.2.2 1000 2000\r\nhi".getBytes(StandardCharsets.US_ASCII));
					assertThat(TestSockets.readFully(socket.getInputStream(), 2)).asString().isEqualTo("hi");
				}
			});
	}

	@Test
	void anAnnotationTurnsItOnForOneListener() {
		this.runner.withUserConfiguration(TwoListeners.class).withPropertyValues("direct.proxy=v1").run((context) -> {
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(server.listener("direct").orElseThrow().spec().proxyProtocol().mode())
				.isEqualTo(ProxyProtocolMode.V1);
			assertThat(server.listener("echo").orElseThrow().isProxyProtocol()).isFalse();
		});
	}

	@Test
	void badValuesFailStartUpNamingTheProperty() {
		this.runner.withUserConfiguration(TwoListeners.class)
			.withPropertyValues("tcp.server.proxy-protocol.trusted-proxies=balancer.example.com")
			.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("trusted-proxies"));
		this.runner.withUserConfiguration(TwoListeners.class)
			.withPropertyValues("tcp.server.proxy-protocol.header-timeout=1s")
			.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("at least 3s"));
		this.runner.withUserConfiguration(TwoListeners.class)
			.withPropertyValues("tcp.server.proxy-protocol.max-header-length=100KB")
			.run((context) -> assertThat(context).getFailure().hasStackTraceContaining("max-header-length"));
		this.runner.withUserConfiguration(TwoListeners.class)
			.withPropertyValues("direct.proxy=maybe")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("The proxyProtocol of @SocketHandler bean 'direct' is 'maybe'"));
	}

	@Test
	void headersAreCountedInMetersByOutcomeAndReason() {
		this.runner.withConfiguration(AutoConfigurations.of(TcpServerMetricsAutoConfiguration.class))
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withUserConfiguration(TwoListeners.class)
			.withPropertyValues("tcp.server.proxy-protocol.mode=v1")
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				try (Socket socket = TestSockets.connect(server.port("echo"))) {
					socket.setSoTimeout(10_000);
					socket.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
					assertThat(socket.getInputStream().read()).isEqualTo(-1);
				}
				TestSockets.await(Duration.ofSeconds(10), "the refusal counted",
						() -> registry.get("tcp.server.proxy.headers").tags("listener", "echo", "outcome", "refused",
								"reason", "malformed").functionCounter().count() == 1);
				assertThat(registry.get("tcp.server.proxy.headers").tags("listener", "echo", "outcome", "accepted",
						"reason", "v1").functionCounter().count()).isZero();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoListeners {

		@Bean
		@SocketHandler
		EchoHandler echo() {
			return new EchoHandler();
		}

		@Bean
		@SocketHandler(port = "0", proxyProtocol = "${direct.proxy:}")
		EchoHandler direct() {
			return new EchoHandler();
		}

	}

}
