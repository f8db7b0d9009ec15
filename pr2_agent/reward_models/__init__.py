"""Reward models the trainers score rollouts with; each module owns one kind of model."""
