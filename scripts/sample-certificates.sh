#!/usr/bin/env bash
# Regenerates the sample application's development PKI (sample-app/src/main/resources/tls):
# a CA whose key is thrown away, an ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1
# (SSL bundle "sample"), and a client certificate. Development only: the keys are committed.
set -euo pipefail
cd "$(dirname "$0")/../sample-app/src/main/resources/tls"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" -out sample-ca.crt \
	-subj "/CN=tcp-server sample development CA (NOT FOR PRODUCTION)" -days 3650 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
leaf() { # name subject extensions
	printf '%s\n' "$3" > "$work/$1.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$work/$1.csr" -subj "$2"
	openssl x509 -req -in "$work/$1.csr" -CA sample-ca.crt -CAkey "$work/ca.key" -CAcreateserial \
		-CAserial "$work/ca.srl" -out "$1.crt" -days 3650 -extfile "$work/$1.ext"
}
leaf sample-localhost /CN=localhost $'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth'
leaf sample-client /CN=sample-client 'extendedKeyUsage=clientAuth'
openssl verify -CAfile sample-ca.crt sample-localhost.crt sample-client.crt
