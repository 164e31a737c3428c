package io.github.tcpserver.autoconfigure;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

import io.github.tcpserver.context.SelectorServerLifecycle;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.context.TcpServerInitializedEvent;
import io.github.tcpserver.core.Connection;
import io.github.tcpserver.core.ConnectionHandler;
import io.github.tcpserver.core.ListenerSpec;
import io.github.tcpserver.core.PortInUseException;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.core.ServerConfig;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.test.TestSockets;

import static org.assertj.core.api.Assertions.assertThat;

class TcpServerAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class))
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1");

	@Test
	void whenASocketHandlerIsDefinedThenTheServerListensAndEchoes() {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(SelectorServer.class).hasSingleBean(SelectorServerLifecycle.class);
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(server.isRunning()).isTrue();
			int port = server.port("echo");
			assertThat(context.getEnvironment().getProperty("local.tcp.server.port", Integer.class)).isEqualTo(port);
			assertThat(context.getEnvironment().getProperty("local.tcp.server.port.echo", Integer.class)).isEqualTo(port);
			try (Socket socket = TestSockets.connect(port)) {
				socket.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
				assertThat(TestSockets.readFully(socket.getInputStream(), 5)).asString().isEqualTo("hello");
			}
		});
	}

	@Test
	void everyChatRoomBeanHearsThatTheServerServesBeforeItStartsAndAgainAfterARestart() {
		java.util.concurrent.atomic.AtomicInteger serving = new java.util.concurrent.atomic.AtomicInteger();
		io.github.tcpserver.protocol.chat.ChatRoom room = (io.github.tcpserver.protocol.chat.ChatRoom) java.lang.reflect.Proxy
			.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { io.github.tcpserver.protocol.chat.ChatRoom.class },
					(proxy, method, args) -> {
						if (method.getName().equals("serving")) {
							serving.incrementAndGet();
							return null;
						}
						if (method.getName().equals("toString")) {
							return "recording room";
						}
						throw new UnsupportedOperationException(method.getName());
					});
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withBean(io.github.tcpserver.protocol.chat.ChatRoom.class, () -> room)
			.run((context) -> {
				assertThat(serving).hasValue(1);
				// A paused and resumed test context: every life cycle stopped, then started again.
				context.getBean(SelectorServerLifecycle.class).stop();
				context.getBean(io.github.tcpserver.context.ChatRoomLifecycle.class).stop();
				context.getBean(io.github.tcpserver.context.ChatRoomLifecycle.class).start();
				context.getBean(SelectorServerLifecycle.class).start();
				assertThat(serving).hasValue(2);
			});
	}

	@Test
	void whenTheContextClosesThenTheServerStopsAndReleasesItsPort() {
		int[] port = new int[1];
		SelectorServer[] server = new SelectorServer[1];
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			server[0] = context.getBean(SelectorServer.class);
			port[0] = server[0].port("echo");
		});
		assertThat(server[0].state()).isEqualTo(SelectorServer.State.STOPPED);
		assertThat(TestSockets.class).isNotNull();
		try (ServerSocket rebound = new ServerSocket(port[0], 50, InetAddress.getLoopbackAddress())) {
			assertThat(rebound.getLocalPort()).isEqualTo(port[0]);
		}
		catch (Exception ex) {
			throw new AssertionError("port " + port[0] + " still bound after the context closed", ex);
		}
	}

	@Test
	void whenListeningStartsThenAnEventWithTheBoundPortsIsPublished() {
		this.runner.withUserConfiguration(EchoConfiguration.class, EventCapture.class).run((context) -> {
			EventCapture capture = context.getBean(EventCapture.class);
			assertThat(capture.event).isNotNull();
			assertThat(capture.event.getSelectorServer().listeners()).singleElement()
				.satisfies((listener) -> assertThat(listener.port()).isPositive());
		});
	}

	@Test
	void whenTheUserDefinesASelectorServerThenTheAutoConfigurationBacksOff() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UserServerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(SelectorServer.class);
			SelectorServer server = context.getBean(SelectorServer.class);
			assertThat(server.listenerSpecs()).extracting(ListenerSpec::name).containsExactly("mine");
			assertThat(server.isRunning()).as("the lifecycle still runs the user's server").isTrue();
		});
	}

	@Test
	void whenDisabledThenNoServerIsCreated() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SelectorServer.class));
	}

	@Test
	void handlersWithTheirOwnPortsRunSideBySide() {
		this.runner.withUserConfiguration(EchoConfiguration.class, ShoutConfiguration.class)
			.withPropertyValues("shout.port=0")
			.run((context) -> {
				SelectorServer server = context.getBean(SelectorServer.class);
				assertThat(server.listeners()).hasSize(2);
				assertThat(server.listeners().get(0).name()).as("default-port listener first").isEqualTo("echo");
				try (Socket shout = TestSockets.connect(server.port("shout"))) {
					shout.getOutputStream().write("abc".getBytes(StandardCharsets.UTF_8));
					assertThat(TestSockets.readFully(shout.getInputStream(), 3)).asString().isEqualTo("ABC");
				}
			});
	}

	@Test
	void propertiesConfigureTheServer() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("tcp.server.io-threads=3", "tcp.server.max-connections=7",
					"tcp.server.read-buffer-size=8KB", "tcp.server.write-buffer-high-water-mark=1MB",
					"tcp.server.write-buffer-low-water-mark=512KB", "tcp.server.backlog=10")
			.run((context) -> {
				ServerConfig config = context.getBean(SelectorServer.class).config();
				assertThat(config.ioThreads()).isEqualTo(3);
				assertThat(config.maxConnections()).isEqualTo(7);
				assertThat(config.readBufferSize()).isEqualTo(8192);
				assertThat(config.writeHighWaterMark()).isEqualTo(1024 * 1024);
				assertThat(config.writeLowWaterMark()).isEqualTo(512 * 1024);
				assertThat(config.backlog()).isEqualTo(10);
				assertThat(context.getBean(SelectorServer.class).ioThreads()).isEqualTo(3);
			});
	}

	@Test
	void aNegativePortFailsWithThePropertyAndValueNamed() {
		assertStartupFailureMentions("tcp.server.port=-1", "tcp.server.port", "-1");
	}

	@Test
	void aPortAbove65535FailsWithThePropertyAndValueNamed() {
		assertStartupFailureMentions("tcp.server.port=70000", "tcp.server.port", "70000");
	}

	@Test
	void zeroIoThreadsFailsWithThePropertyAndValueNamed() {
		assertStartupFailureMentions("tcp.server.io-threads=0", "tcp.server.io-threads", "0");
	}

	@Test
	void crossedWaterMarksFailWithTheSettingsNamed() {
		assertStartupFailureMentions("tcp.server.write-buffer-low-water-mark=2MB", "writeLowWaterMark",
				"writeHighWaterMark");
	}

	private void assertStartupFailureMentions(String property, String... fragments) {
		this.runner.withUserConfiguration(EchoConfiguration.class).withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(describe(context.getStartupFailure())).contains(fragments);
		});
	}

	@Test
	void twoHandlersOnOnePortFailWithBothNamed() {
		this.runner.withPropertyValues("tcp.server.port=9") // never bound: the check comes first
			.withUserConfiguration(EchoConfiguration.class, SecondEchoConfiguration.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new SocketHandlerConfigurationFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'echo'", "'echo2'", "port 9");
				assertThat(analysis.getAction()).contains("port attribute");
			});
	}

	@Test
	void noSocketHandlerFailsWithAnExplanation() {
		this.runner.run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new SocketHandlerConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("no @SocketHandler bean");
			assertThat(analysis.getAction()).contains("tcp.server.enabled=false");
		});
	}

	@Test
	void aSocketHandlerThatIsNotAConnectionHandlerFails() {
		this.runner.withUserConfiguration(NotAHandlerConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(describe(context.getStartupFailure())).contains("'notAHandler'", "ConnectionHandler");
		});
	}

	@Test
	void aPortInUseFailsWithABootStyleAnalysis() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			this.runner.withUserConfiguration(EchoConfiguration.class)
				.withPropertyValues("tcp.server.port=" + taken.getLocalPort(), "tcp.server.reuse-address=false")
				.run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(java.net.BindException.class);
					FailureAnalysis analysis = new PortInUseFailureAnalyzer().analyze(context.getStartupFailure());
					assertThat(analysis.getDescription()).isEqualTo("TCP listener 'echo' failed to start. Port "
							+ taken.getLocalPort() + " was already in use.");
					assertThat(analysis.getAction()).contains("port " + taken.getLocalPort(), "tcp.server.port");
				});
		}
	}

	@Test
	void configurationMetadataDocumentsTheProperties() throws Exception {
		try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			assertThat(json).contains("\"tcp.server.port\"", "\"tcp.server.io-threads\"", "\"tcp.server.max-connections\"",
					"\"tcp.server.tcp-no-delay\"", "\"tcp.server.so-keepalive\"", "\"tcp.server.reuse-address\"",
					"\"tcp.server.backlog\"", "\"tcp.server.read-buffer-size\"", "Port of every @SocketHandler");
		}
	}

	private static String describe(Throwable failure) {
		StringBuilder text = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			text.append(t.getMessage()).append('\n');
		}
		return text.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class EchoConfiguration {

		@Bean
		@SocketHandler
		EchoHandler echo() {
			return new EchoHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SecondEchoConfiguration {

		@Bean
		@SocketHandler
		EchoHandler echo2() {
			return new EchoHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ShoutConfiguration {

		@Bean
		@SocketHandler(port = "${shout.port}")
		ConnectionHandler shout() {
			return (Connection connection, ByteBuffer data) -> {
				byte[] bytes = new byte[data.remaining()];
				data.get(bytes);
				connection.write(new String(bytes, StandardCharsets.UTF_8).toUpperCase());
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NotAHandlerConfiguration {

		@Bean
		@SocketHandler
		String notAHandler() {
			return "not a handler";
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserServerConfiguration {

		@Bean
		SelectorServer myServer() {
			return new SelectorServer(ServerConfig.builder().ioThreads(1).build(),
					List.of(new ListenerSpec("mine", InetAddress.getLoopbackAddress(), 0, new EchoHandler())));
		}

	}

	static class EventCapture implements ApplicationListener<TcpServerInitializedEvent> {

		volatile TcpServerInitializedEvent event;

		@Override
		public void onApplicationEvent(TcpServerInitializedEvent event) {
			this.event = event;
		}

	}

}
