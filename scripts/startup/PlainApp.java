package startup;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The baseline of scripts/startup-cost.sh: a Boot application without the starter that binds as
 * many loopback listeners (plain server sockets), then closes once started.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class PlainApp {

	@Bean(destroyMethod = "close")
	ServerSocketChannel echo() throws IOException {
		return bind();
	}

	@Bean(destroyMethod = "close")
	ServerSocketChannel chat() throws IOException {
		return bind();
	}

	@Bean(destroyMethod = "close")
	ServerSocketChannel web() throws IOException {
		return bind();
	}

	private static ServerSocketChannel bind() throws IOException {
		return ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
	}

	public static void main(String[] args) {
		ConfigurableApplicationContext context = SpringApplication.run(PlainApp.class, args);
		// Deterministic next to the times: what the start-up loaded and defined.
		System.out.println("startup-cost: classes=" + ManagementFactory.getClassLoadingMXBean().getLoadedClassCount()
				+ " beans=" + context.getBeanDefinitionCount());
		context.close();
	}

}
