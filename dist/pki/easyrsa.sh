#!/bin/sh
# The cluster CA and the API server's certificate with easyrsa 3 (the course
# notes' steps, corrected). Run it on the control-plane machine: the keys it
# makes stay in ./pki/private there and never go into git.
set -eu
./easyrsa init-pki
./easyrsa --batch --req-cn=kubernetes-ca --days=3650 build-ca nopass
./easyrsa --batch --subject-alt-name="IP:10.96.0.1,IP:10.0.0.10,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster,DNS:kubernetes.default.svc.cluster.local,DNS:cp-1,DNS:k8s.example.com" --days=365 build-server-full kube-apiserver nopass
# the certificate: pki/issued/kube-apiserver.crt, the CA: pki/ca.crt
