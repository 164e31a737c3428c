package bench.ws;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.NettyRuntime;

/**
 * The reference of the WebSocket echo benchmark: Netty 4.2's own WebSocket server
 * ({@code WebSocketServerProtocolHandler}: handshake, close, ping) on the NIO or native epoll
 * transport, echoing every text and binary frame on one path; other requests get 404.
 *
 * <pre>java -cp bench-ws.jar bench.ws.NettyWebSocketEchoServer --transport nio|epoll --host 127.0.0.1 --port 9301 [--path /ws/echo] [--threads N]</pre>
 */
public final class NettyWebSocketEchoServer {

	public static void main(String[] args) throws InterruptedException {
		String transport = "nio";
		String host = "127.0.0.1";
		int port = 9301;
		String path = "/ws/echo";
		int threads = 0;
		for (int i = 0; i + 1 < args.length; i += 2) {
			switch (args[i]) {
				case "--transport" -> transport = args[i + 1];
				case "--host" -> host = args[i + 1];
				case "--port" -> port = Integer.parseInt(args[i + 1]);
				case "--path" -> path = args[i + 1];
				case "--threads" -> threads = Integer.parseInt(args[i + 1]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		boolean epoll = switch (transport) {
			case "nio" -> false;
			case "epoll" -> true;
			default -> throw new IllegalArgumentException("--transport nio|epoll, not " + transport);
		};
		if (epoll && !Epoll.isAvailable()) {
			System.err.println("native epoll transport unavailable: " + Epoll.unavailabilityCause());
			System.exit(3);
		}
		IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
		Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class
				: NioServerSocketChannel.class;
		int workers = (threads > 0) ? threads : NettyRuntime.availableProcessors();
		// The same frame and message limit as the starter's default (tcp.server.websocket.max-message-size).
		WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
			.websocketPath(path)
			.maxFramePayloadLength(64 * 1024)
			.checkStartsWith(false)
			.build();
		EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, factory);
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(workers, factory);
		try {
			ServerBootstrap bootstrap = new ServerBootstrap().group(boss, group)
				.channel(channelClass)
				.option(ChannelOption.SO_BACKLOG, 4096)
				.option(ChannelOption.SO_REUSEADDR, true)
				.childOption(ChannelOption.TCP_NODELAY, true)
				.childHandler(new ChannelInitializer<SocketChannel>() {
					@Override
					protected void initChannel(SocketChannel channel) {
						channel.pipeline()
							.addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
									new WebSocketServerProtocolHandler(config), Echo.INSTANCE, NotFound.INSTANCE);
					}
				});
			Channel channel = bootstrap.bind(host, port).sync().channel();
			System.out.printf("netty-ws transport=%s workers=%d path=%s listening on %s%n", transport, workers, path,
					channel.localAddress());
			channel.closeFuture().sync();
		}
		finally {
			boss.shutdownGracefully();
			group.shutdownGracefully();
		}
	}

	/**
	 * Echoes data frames (continuations too, so fragmented messages come back fragmented);
	 * flushes once per read batch, as the workshop's Netty echo server does, and stops reading while
	 * the peer does not read.
	 */
	@ChannelHandler.Sharable
	static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {

		static final Echo INSTANCE = new Echo();

		@Override
		protected void channelRead0(ChannelHandlerContext context, WebSocketFrame frame) {
			if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
					|| frame instanceof ContinuationWebSocketFrame) {
				context.write(frame.retain(), context.voidPromise());
			}
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext context) {
			context.flush();
			if (!context.channel().isWritable()) {
				context.channel().config().setAutoRead(false);
			}
			context.fireChannelReadComplete();
		}

		@Override
		public void channelWritabilityChanged(ChannelHandlerContext context) {
			if (context.channel().isWritable()) {
				context.channel().config().setAutoRead(true);
			}
			context.fireChannelWritabilityChanged();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

	/** Requests for any other path than the WebSocket's. */
	@ChannelHandler.Sharable
	static final class NotFound extends SimpleChannelInboundHandler<FullHttpRequest> {

		static final NotFound INSTANCE = new NotFound();

		@Override
		protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
			context.writeAndFlush(new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NOT_FOUND,
					Unpooled.EMPTY_BUFFER))
				.addListener(ChannelFutureListener.CLOSE);
		}

	}

}
