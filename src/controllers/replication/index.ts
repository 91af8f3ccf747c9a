// The ReplicationController controller: public face of this folder.
export { startReplicationController } from './replication-controller.js';
