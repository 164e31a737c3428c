package io.github.tcpserver.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away PKI made with {@code openssl} for one test class, in a temporary directory: a CA,
 * ECDSA P-256 leaf certificates signed by it (servers with DNS and IP names, a client), as PEM
 * files (for SSL bundles, {@code openssl s_client}, {@code curl}) and as JDK contexts.
 */
public final class TestCertificates {

	private final Path directory;

	private TestCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * Makes a CA in {@code directory}; leaves are made with {@link #issue}.
	 * @param directory an empty directory (a JUnit {@code @TempDir})
	 * @return the PKI
	 */
	public static TestCertificates create(Path directory) {
		TestCertificates pki = new TestCertificates(directory);
		pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
				"ca.key", "-out", "ca.crt", "-subj", "/CN=tcp-server test CA", "-days", "2", "-addext",
				"basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
		return pki;
	}

	/**
	 * Issues a leaf certificate {@code name.crt} with key {@code name.key}, signed by the CA.
	 * @param name file name and common name
	 * @param dnsNames subject alternative DNS names (127.0.0.1 is always added)
	 * @return this
	 */
	public TestCertificates issue(String name, String... dnsNames) {
		StringBuilder san = new StringBuilder("subjectAltName=IP:127.0.0.1");
		for (String dns : dnsNames) {
			san.append(",DNS:").append(dns);
		}
		try {
			Files.writeString(this.directory.resolve(name + ".ext"), san + "\n");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
				"-out", name + ".csr", "-subj", "/CN=" + name);
		openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
				name + ".crt", "-days", "2", "-extfile", name + ".ext");
		return this;
	}

	/** @return the PEM file of the CA's certificate */
	public Path caCertificate() {
		return this.directory.resolve("ca.crt");
	}

	/** @return the PEM certificate file of a leaf */
	public Path certificate(String name) {
		return this.directory.resolve(name + ".crt");
	}

	/** @return the PEM (PKCS#8) private key file of a leaf */
	public Path privateKey(String name) {
		return this.directory.resolve(name + ".key");
	}

	/**
	 * @param name a leaf issued before
	 * @param trustCa whether the context trusts certificates of the CA (for client authentication)
	 * @return a context presenting that leaf
	 */
	public SSLContext context(String name, boolean trustCa) {
		try {
			KeyStore keys = KeyStore.getInstance("PKCS12");
			keys.load(null, null);
			keys.setKeyEntry(name, readKey(privateKey(name)), new char[0],
					new Certificate[] { readCertificate(certificate(name)), readCertificate(caCertificate()) });
			KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keyManagers.init(keys, new char[0]);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keyManagers.getKeyManagers(), trustCa ? trustManagers() : null, null);
			return context;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** @return a client context that trusts the CA and presents no certificate */
	public SSLContext trustingContext() {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trustManagers(), null);
			return context;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private javax.net.ssl.TrustManager[] trustManagers() throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry("ca", readCertificate(caCertificate()));
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		return factory.getTrustManagers();
	}

	private static X509Certificate readCertificate(Path file) throws Exception {
		try (var in = Files.newInputStream(file)) {
			return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
	}

	private static PrivateKey readKey(Path file) throws Exception {
		String pem = Files.readString(file, StandardCharsets.US_ASCII);
		String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
		return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
	}

	private void openssl(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add("openssl");
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException("openssl failed: " + command + "\n" + output);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("openssl is needed by the TLS tests (scripts/test.sh installs it)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
