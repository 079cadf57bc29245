// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata API at import time. This module is imported before @peculiar/x509 everywhere.
import 'reflect-metadata';
