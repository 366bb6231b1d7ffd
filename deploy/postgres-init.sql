-- The two databases of the deployment: the reference HMS and the assistant store (which
-- also holds Rasa's encrypted conversation events). Run once by the postgres image.
CREATE DATABASE hms;
CREATE DATABASE assistant;
