package startup;

import java.lang.management.ManagementFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.protocol.echo.EchoHandler;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;

/**
 * The measured application of scripts/startup-cost.sh: the same Boot application with the starter
 * and as many listeners (echo, echo, HTTP), its server started by the starter, then closed once
 * started.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class StarterApp {

	@Bean
	@SocketHandler(port = "0", address = "127.0.0.1")
	EchoHandler echo() {
		return new EchoHandler();
	}

	@Bean
	@SocketHandler(port = "0", address = "127.0.0.1")
	EchoHandler chat() {
		return new EchoHandler();
	}

	@Bean
	@SocketHandler(port = "0", address = "127.0.0.1")
	HttpServerHandler web() {
		return new HttpServerHandler(new HttpRouter().get("/", (request) -> HttpResponse.text("Hello, world!")));
	}

	public static void main(String[] args) {
		ConfigurableApplicationContext context = SpringApplication.run(StarterApp.class, args);
		// Deterministic next to the times: what the start-up loaded and defined.
		System.out.println("startup-cost: classes=" + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount()
				+ " beans=" + context.getBeanDefinitionCount());
		context.close();
	}

}
