# The application image (Python 3.11): gateway, action server, reference HMS, operator CLI.
# One image, three roles: the compose file picks the command.
#   docker build -f deploy/Dockerfile.app -t hms-assistant-app .
FROM python:3.11-slim-bookworm

# espeak-ng/sox/libsndfile1: the kiosk's speech; no compilers in the final image
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng sox libsndfile1 \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 assistant
WORKDIR /app
COPY requirements/app.in requirements/app.lock requirements/
RUN pip install --no-cache-dir -r requirements/app.in -c requirements/app.lock

COPY assistant assistant
COPY actions actions
COPY hms hms
COPY phi_filter phi_filter
COPY dbkit dbkit
COPY intents intents
COPY training_data training_data
COPY domain domain

# state (logs, speech model) under VAR_DIR, owner-only; secrets come from the environment
ENV VAR_DIR=/var/lib/assistant \
    BIND_HOST=0.0.0.0 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DEMO_ENV_FILE=none
RUN install -d -m 700 -o assistant -g assistant /var/lib/assistant
USER assistant
# gateway: python -m assistant.gateway | actions: python -m actions.server |
# hms: python -m hms serve
CMD ["python", "-m", "assistant.gateway"]
